output "SERVICEBUS_FULLY_QUALIFIED_NAMESPACE" {
  description = "cmkflow.servicebus.fully-qualified-namespace"
  value       = "${azurerm_servicebus_namespace.cmkflow.name}.servicebus.windows.net"
}

output "AZURE_CLIENT_ID" {
  description = "The workers' identity for DefaultAzureCredential (managed identity or workload identity)."
  value       = azurerm_user_assigned_identity.workers.client_id
}

output "workers_principal_id" {
  description = "Object id of the workers' identity (grant Graph Application.Read.All to it, see infra/README.md)."
  value       = azurerm_user_assigned_identity.workers.principal_id
}

output "custom_role_id" {
  description = "The least-privilege role assigned in every target subscription."
  value       = azurerm_role_definition.cmkflow.role_definition_resource_id
}
