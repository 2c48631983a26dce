output "SERVICEBUS_FULLY_QUALIFIED_NAMESPACE" {
  description = "cmkflow.servicebus.fully-qualified-namespace"
  value       = "${azurerm_servicebus_namespace.cmkflow.name}.servicebus.windows.net"
}

output "AZURE_CLIENT_ID" {
  description = "The workers' identity for DefaultAzureCredential (managed identity or workload identity) of the worker replicas."
  value       = azurerm_user_assigned_identity.workers.client_id
}

output "intake_client_id" {
  description = "The intake's identity: AZURE_CLIENT_ID of the intake replicas (Service Bus only, no Azure Resource Manager right)."
  value       = azurerm_user_assigned_identity.intake.client_id
}

output "workers_principal_id" {
  description = "Object id of the workers' identity (grant Graph Application.Read.All to it, see infra/README.md)."
  value       = azurerm_user_assigned_identity.workers.principal_id
}

output "custom_role_ids" {
  description = "The two custom roles' ids: the subscription role and the resource-groups role (role.tf)."
  value       = [azurerm_role_definition.cmkflow_subscription.role_definition_resource_id, azurerm_role_definition.cmkflow_groups.role_definition_resource_id]
}
