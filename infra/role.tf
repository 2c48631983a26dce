# The least-privilege role cmkflow's workers need in each target subscription: exactly the Azure actions its Azure
# layer is authorized with. Every test stack's simulator authorizes cmkflow's calls against this role as ARM does
# (linked checks and long-running operations' polls included), and CustomRoleTest checks that whole runs and their
# compensation need every action listed and no other. No data actions: cmkflow reaches a vault's keys through the
# access it grants itself on a vault it creates.
resource "azurerm_role_definition" "cmkflow" {
  name        = "cmkflow CMK workspace provisioner (${var.name})"
  scope       = "/subscriptions/${var.target_subscription_ids[0]}"
  description = "What cmkflow calls to provision and compensate Azure Machine Learning workspaces encrypted with a customer-managed key."

  permissions {
    actions = [
      "Microsoft.Authorization/roleAssignments/delete",
      "Microsoft.Authorization/roleAssignments/read",
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.DocumentDB/register/action",
      "Microsoft.Insights/components/delete",
      "Microsoft.Insights/components/read",
      "Microsoft.Insights/components/write",
      "Microsoft.Insights/register/action",
      "Microsoft.KeyVault/locations/deletedVaults/read",
      "Microsoft.KeyVault/register/action",
      "Microsoft.KeyVault/vaults/accessPolicies/write",
      "Microsoft.KeyVault/vaults/delete",
      "Microsoft.KeyVault/vaults/keys/read",
      "Microsoft.KeyVault/vaults/keys/write",
      "Microsoft.KeyVault/vaults/read",
      "Microsoft.KeyVault/vaults/write",
      "Microsoft.MachineLearningServices/locations/workspaceOperationResults/read",
      "Microsoft.MachineLearningServices/locations/workspaceOperationsStatus/read",
      "Microsoft.MachineLearningServices/register/action",
      "Microsoft.MachineLearningServices/workspaces/delete",
      "Microsoft.MachineLearningServices/workspaces/read",
      "Microsoft.MachineLearningServices/workspaces/write",
      "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
      "Microsoft.ManagedIdentity/userAssignedIdentities/read",
      "Microsoft.Resources/subscriptions/providers/read",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Resources/subscriptions/resourceGroups/resources/read",
      "Microsoft.Search/register/action",
      "Microsoft.Storage/locations/asyncoperations/read",
      "Microsoft.Storage/register/action",
      "Microsoft.Storage/storageAccounts/delete",
      "Microsoft.Storage/storageAccounts/read",
      "Microsoft.Storage/storageAccounts/write",
    ]
  }

  assignable_scopes = [for id in var.target_subscription_ids : "/subscriptions/${id}"]
}

resource "azurerm_role_assignment" "workers_on_targets" {
  for_each           = toset(var.target_subscription_ids)
  scope              = "/subscriptions/${each.value}"
  role_definition_id = azurerm_role_definition.cmkflow.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.workers.principal_id
  principal_type     = "ServicePrincipal"
}
