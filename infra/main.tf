resource "azurerm_resource_group" "cmkflow" {
  name     = "${var.name}-rg"
  location = var.location
  tags     = var.tags
}

# Entra ID only (no SAS keys), TLS 1.2 at least.
resource "azurerm_servicebus_namespace" "cmkflow" {
  name                = "${var.name}-sb"
  resource_group_name = azurerm_resource_group.cmkflow.name
  location            = azurerm_resource_group.cmkflow.location
  sku                 = var.servicebus_sku
  capacity            = var.servicebus_sku == "Premium" ? 1 : 0
  local_auth_enabled  = false
  minimum_tls_version = "1.2"
  tags                = var.tags
}

# The same settings as the compose stack's infra/servicebus/Config.json and the local stand-in's (DeploymentFilesTest).
resource "azurerm_servicebus_queue" "requests" {
  name                                    = "cmk-requests"
  namespace_id                            = azurerm_servicebus_namespace.cmkflow.id
  lock_duration                           = "PT1M"
  max_delivery_count                      = 5
  default_message_ttl                     = "PT1H"
  dead_lettering_on_message_expiration    = true
  requires_duplicate_detection            = true
  duplicate_detection_history_time_window = "PT5M"
}

resource "azurerm_servicebus_queue" "status" {
  name                                    = "cmk-status"
  namespace_id                            = azurerm_servicebus_namespace.cmkflow.id
  lock_duration                           = "PT1M"
  max_delivery_count                      = 10
  default_message_ttl                     = "PT1H"
  dead_lettering_on_message_expiration    = false
  requires_duplicate_detection            = true
  duplicate_detection_history_time_window = "PT5M"
}

# The identity the worker replicas run as (DefaultAzureCredential: AZURE_CLIENT_ID names it): the custom roles in the
# target subscriptions (role.tf) and Data Sender on the status queue (the runs' status events).
resource "azurerm_user_assigned_identity" "workers" {
  name                = "${var.name}-workers"
  resource_group_name = azurerm_resource_group.cmkflow.name
  location            = azurerm_resource_group.cmkflow.location
  tags                = var.tags
}

# The identity the intake replicas run as: they parse what anyone may send, so they get no Azure Resource Manager right
# at all, only Data Receiver on the request queue and Data Sender on the status queue (rejections).
resource "azurerm_user_assigned_identity" "intake" {
  name                = "${var.name}-intake"
  resource_group_name = azurerm_resource_group.cmkflow.name
  location            = azurerm_resource_group.cmkflow.location
  tags                = var.tags
}

resource "azurerm_role_assignment" "intake_receives_requests" {
  scope                = azurerm_servicebus_queue.requests.id
  role_definition_name = "Azure Service Bus Data Receiver"
  principal_id         = azurerm_user_assigned_identity.intake.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "intake_sends_status" {
  scope                = azurerm_servicebus_queue.status.id
  role_definition_name = "Azure Service Bus Data Sender"
  principal_id         = azurerm_user_assigned_identity.intake.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "workers_send_status" {
  scope                = azurerm_servicebus_queue.status.id
  role_definition_name = "Azure Service Bus Data Sender"
  principal_id         = azurerm_user_assigned_identity.workers.principal_id
  principal_type       = "ServicePrincipal"
}
