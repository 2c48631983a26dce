# The least-privilege rights cmkflow's workers need: exactly the Azure actions its Azure layer is authorized with, in two
# roles. Every test stack's ARM simulator authorizes cmkflow's calls against them as ARM does (linked checks and
# long-running operations' polls included); CustomRoleTest checks that whole runs and their compensation need every
# action listed and no other, LeastPrivilegeMutationTest that each one is needed, and ScopedRolesTest that the
# assignments below (groups role at the request's resource group, with its condition) suffice. No data actions: cmkflow
# reaches a vault's keys through the access it grants itself on a vault it creates. Rationale, action by action:
# docs/azure-authorization.md.

# What a run needs at the subscription: provider registration, location-level reads (deleted vaults, the polls of
# long-running operations), the managed resource group Azure creates outside the target groups, the request's
# user-assigned identity, wherever in the subscription it lives, and the list of the subscription's workspaces (an
# undo leaves a vault, key or key access that a workspace in any group uses).
resource "azurerm_role_definition" "cmkflow_subscription" {
  name        = "cmkflow CMK workspace provisioner, subscription (${var.name})"
  scope       = "/subscriptions/${var.target_subscription_ids[0]}"
  description = "What cmkflow needs at the subscription to provision Azure Machine Learning workspaces encrypted with a customer-managed key."

  permissions {
    actions = [
      "Microsoft.DocumentDB/register/action",
      "Microsoft.Insights/register/action",
      "Microsoft.KeyVault/locations/deletedVaults/read",
      "Microsoft.KeyVault/register/action",
      "Microsoft.MachineLearningServices/locations/workspaceOperationResults/read",
      "Microsoft.MachineLearningServices/locations/workspaceOperationsStatus/read",
      "Microsoft.MachineLearningServices/register/action",
      "Microsoft.MachineLearningServices/workspaces/read",
      "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
      "Microsoft.ManagedIdentity/userAssignedIdentities/read",
      "Microsoft.OperationalInsights/register/action",
      "Microsoft.Resources/subscriptions/providers/read",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Resources/subscriptions/resourceGroups/resources/read",
      "Microsoft.Search/register/action",
      "Microsoft.Storage/locations/asyncoperations/read",
      "Microsoft.Storage/register/action",
    ]
  }

  assignable_scopes = [for id in var.target_subscription_ids : "/subscriptions/${id}"]
}

# What a run creates, grants and undoes in the resource group a request names (Application Insights is workspace-based:
# the run creates the Log Analytics workspace it stores its data in).
resource "azurerm_role_definition" "cmkflow_groups" {
  name        = "cmkflow CMK workspace provisioner, resource groups (${var.name})"
  scope       = "/subscriptions/${var.target_subscription_ids[0]}"
  description = "What cmkflow creates, grants and undoes in a target resource group: vault, key, key access, workspace, storage, Application Insights."

  permissions {
    actions = [
      "Microsoft.Authorization/roleAssignments/delete",
      "Microsoft.Authorization/roleAssignments/read",
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Insights/components/delete",
      "Microsoft.Insights/components/read",
      "Microsoft.Insights/components/write",
      "Microsoft.KeyVault/vaults/accessPolicies/write",
      "Microsoft.KeyVault/vaults/delete",
      "Microsoft.KeyVault/vaults/keys/read",
      "Microsoft.KeyVault/vaults/keys/versions/read",
      "Microsoft.KeyVault/vaults/keys/write",
      "Microsoft.KeyVault/vaults/read",
      "Microsoft.KeyVault/vaults/write",
      "Microsoft.MachineLearningServices/workspaces/delete",
      "Microsoft.MachineLearningServices/workspaces/write",
      "Microsoft.OperationalInsights/workspaces/delete",
      "Microsoft.OperationalInsights/workspaces/read",
      "Microsoft.OperationalInsights/workspaces/write",
      "Microsoft.Storage/storageAccounts/delete",
      "Microsoft.Storage/storageAccounts/read",
      "Microsoft.Storage/storageAccounts/write",
    ]
  }

  assignable_scopes = [for id in var.target_subscription_ids : "/subscriptions/${id}"]
}

resource "azurerm_role_assignment" "workers_on_subscriptions" {
  for_each           = toset(var.target_subscription_ids)
  scope              = "/subscriptions/${each.value}"
  role_definition_id = azurerm_role_definition.cmkflow_subscription.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.workers.principal_id
  principal_type     = "ServicePrincipal"
}

# At each target resource group when the deployment lists them (the narrowest scope that fits cmkflow.azure.scope),
# else at each target subscription. The condition lets the workers assign and remove only the two Key Vault roles
# cmkflow grants (Key Vault Crypto Officer for itself, Key Vault Crypto Service Encryption User for Azure Cosmos DB and
# a request's identity), and only to service principals: with roleAssignments/write alone they could give anyone,
# themselves included, any role there, Owner included.
resource "azurerm_role_assignment" "workers_on_groups" {
  for_each           = length(var.target_resource_group_ids) > 0 ? toset(var.target_resource_group_ids) : toset([for id in var.target_subscription_ids : "/subscriptions/${id}"])
  scope              = each.value
  role_definition_id = azurerm_role_definition.cmkflow_groups.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.workers.principal_id
  principal_type     = "ServicePrincipal"
  condition_version  = "2.0"
  condition          = <<-EOT
    ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {14b46e9e-c2b7-41b4-b07b-48a6ebf60603, e147488a-f6f5-4113-8e2d-b22465e65bf6} AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'})) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {14b46e9e-c2b7-41b4-b07b-48a6ebf60603, e147488a-f6f5-4113-8e2d-b22465e65bf6}))
  EOT
}
