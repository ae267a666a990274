// The four alerts of the seeds. Checkout error rate and product p99 come from
// the requests the Functions host records in Application Insights
// (function names checkout and catalog); dead letters from Service Bus's own
// metric; the outbox backlog age from the gauge shopfn exports (OTel name
// shopfn.outbox.oldest.age, Prometheus shopfn_outbox_oldest_age_seconds),
// which reaches Application Insights only through an OpenTelemetry
// collector (infra/README.md, "Alerts").
param baseName string
param location string
param tags object
param appInsightsId string
param serviceBusId string
@description('Action group resource id; empty: no notification.')
param actionGroupId string

var actionGroups = empty(actionGroupId) ? [] : [
  actionGroupId
]

var logAlerts = [
  {
    name: 'checkout-error-rate'
    description: 'Checkout error rate above 1% over 5 minutes (server errors of the checkout function).'
    severity: 1
    query: 'requests | where name == "checkout" | summarize total = count(), failed = countif(toint(resultCode) >= 500) | where total > 0 | extend rate = 100.0 * failed / total | project rate'
    column: 'rate'
    threshold: 1
  }
  {
    name: 'product-p99'
    description: 'Product API p99 latency above 500 ms over 5 minutes.'
    severity: 2
    query: 'requests | where name == "catalog" | summarize p99 = percentile(duration, 99) | project p99'
    column: 'p99'
    threshold: 500
  }
  {
    name: 'outbox-backlog-age'
    description: 'The oldest unpublished outbox message is older than a minute.'
    severity: 1
    query: 'customMetrics | where name in ("shopfn.outbox.oldest.age", "shopfn_outbox_oldest_age_seconds") | summarize age = max(valueMax) | project age'
    column: 'age'
    threshold: 60
  }
]

resource logRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for a in logAlerts: {
  name: '${baseName}-${a.name}'
  location: location
  tags: tags
  properties: {
    displayName: '${baseName} ${a.name}'
    description: a.description
    severity: a.severity
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: a.query
          timeAggregation: 'Maximum'
          metricMeasureColumn: a.column
          operator: 'GreaterThan'
          threshold: a.threshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroups
    }
  }
}]

resource deadLetters 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${baseName}-dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'A message was dead-lettered on orders or inventory.'
    severity: 1
    enabled: true
    scopes: [
      serviceBusId
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'dead-lettered'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [for g in actionGroups: {
      actionGroupId: g
    }]
  }
}
