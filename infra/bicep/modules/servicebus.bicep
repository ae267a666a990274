// Service Bus with the queues orders and inventory, Entra ID only
// (disableLocalAuth). Duplicate detection makes the outbox relay's
// re-publishing harmless (MessageId = outbox id); after 10 deliveries a
// message is dead-lettered, and so is one that expires.
param name string
param location string
param tags object
param principalId string
@description('Principal of the KEDA identity; empty without AKS.')
param kedaPrincipalId string

resource namespace 'Microsoft.ServiceBus/namespaces@2021-11-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource queues 'Microsoft.ServiceBus/namespaces/queues@2021-11-01' = [for queue in [
  'orders'
  'inventory'
]: {
  parent: namespace
  name: queue
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
    lockDuration: 'PT1M'
    requiresSession: false
    enablePartitioning: false
  }
}]

// The events topic (SHOPFN_EVENTS_TOPIC): every event of the log, with
// "type" and "subject" application properties, for Azure consumers that
// subscribe with SQL filters (they add their own subscriptions).
// Duplicate detection drops an event the dispatcher publishes again.
resource eventsTopic 'Microsoft.ServiceBus/namespaces/topics@2021-11-01' = {
  parent: namespace
  name: 'events'
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
    defaultMessageTimeToLive: 'P14D'
    enablePartitioning: false
  }
}

// Azure Service Bus Data Sender on the events topic for the app (the
// namespace-wide assignment below covers it too; this one states it).
resource topicSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(eventsTopic.id, principalId, '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39')
  scope: eventsTopic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39')
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Azure Service Bus Data Sender and Data Receiver for the app.
var appRoles = [
  '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
]

resource appAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in appRoles: {
  name: guid(namespace.id, principalId, role)
  scope: namespace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

// Azure Service Bus Data Owner for KEDA: reading a queue's message count is
// a management operation.
var dataOwner = '090c5cfd-751d-490a-894a-3ce6f1109419'

resource kedaAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(kedaPrincipalId)) {
  name: guid(namespace.id, 'keda', dataOwner)
  scope: namespace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dataOwner)
    principalId: kedaPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output id string = namespace.id
output name string = namespace.name
output eventsTopic string = eventsTopic.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
