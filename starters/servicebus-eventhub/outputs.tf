output "servicebus_namespace_id" {
  description = "Resource ID of the Service Bus namespace, the scope for role assignments."
  value       = azurerm_servicebus_namespace.main.id
}

output "servicebus_endpoint" {
  description = "Endpoint of the Service Bus namespace."
  value       = azurerm_servicebus_namespace.main.endpoint
}

output "servicebus_topic_id" {
  description = "Resource ID of the topic."
  value       = azurerm_servicebus_topic.main.id
}

output "servicebus_subscription_id" {
  description = "Resource ID of the topic subscription."
  value       = azurerm_servicebus_subscription.main.id
}

output "eventhub_namespace_id" {
  description = "Resource ID of the Event Hubs namespace, the scope for role assignments."
  value       = azurerm_eventhub_namespace.main.id
}

output "eventhub_kafka_endpoint" {
  description = "Kafka bootstrap server of the Event Hubs namespace."
  value       = "${azurerm_eventhub_namespace.main.name}.servicebus.windows.net:9093"
}

output "eventhub_id" {
  description = "Resource ID of the event hub."
  value       = azurerm_eventhub.main.id
}
