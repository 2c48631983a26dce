variable "subscription_id" {
  description = "Subscription that hosts cmkflow's own resources (Service Bus, the workers' identity)."
  type        = string
  validation {
    condition     = can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", var.subscription_id))
    error_message = "subscription_id must be a subscription GUID."
  }
}

variable "name" {
  description = "Prefix of every resource name (3-20 lower-case letters, digits or hyphens), e.g. cmkflow-prod."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,19}$", var.name))
    error_message = "name must be 3-20 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "location" {
  description = "Azure region of cmkflow's own resources, e.g. westeurope."
  type        = string
}

variable "servicebus_sku" {
  description = "Service Bus tier: Standard or Premium (Basic has no duplicate detection)."
  type        = string
  default     = "Standard"
  validation {
    condition     = contains(["Standard", "Premium"], var.servicebus_sku)
    error_message = "servicebus_sku must be Standard or Premium."
  }
}

variable "target_subscription_ids" {
  description = "Subscriptions cmkflow provisions workspaces in: the custom role is assignable there and assigned to the workers."
  type        = list(string)
  validation {
    condition     = length(var.target_subscription_ids) > 0 && alltrue([for id in var.target_subscription_ids : can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", id))])
    error_message = "target_subscription_ids must list at least one subscription GUID."
  }
}

variable "target_resource_group_ids" {
  description = "Resource groups (ids) cmkflow provisions workspaces in, when cmkflow.azure.scope lists groups: the resource-groups role is assigned there instead of at the subscriptions. Empty: at each target subscription."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for id in var.target_resource_group_ids : can(regex("^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+$", id))])
    error_message = "target_resource_group_ids must be resource group ids: /subscriptions/{id}/resourceGroups/{name}."
  }
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = {}
}
