# One page for the on-call: every alarm' state, each alarm's metric with its threshold,
# and the function's latest ERROR lines (each names what failed: operation, table, queue or
# topic, error code, attempts).

locals {
  region = data.aws_region.current.name

  # By name, as Terraform orders a map.
  dashboard_alarms = [for name in keys(local.alarms) : aws_cloudwatch_metric_alarm.status_checker[name]]

  # One graph per alarm, its threshold drawn across it.
  alarm_graphs = [
    for index, alarm in local.dashboard_alarms : {
      type   = "metric"
      x      = (index % 3) * 8
      y      = 3 + floor(index / 3) * 6
      width  = 8
      height = 6
      properties = {
        title   = alarm.alarm_name
        region  = local.region
        view    = "timeSeries"
        stat    = alarm.statistic
        period  = alarm.period
        metrics = [[alarm.namespace, alarm.metric_name, keys(alarm.dimensions)[0], values(alarm.dimensions)[0]]]
        annotations = {
          horizontal = [{ label = "alarm", value = alarm.threshold }]
        }
      }
    }
  ]
}

resource "aws_cloudwatch_dashboard" "status_checker" {
  dashboard_name = var.function_name

  dashboard_body = jsonencode({
    widgets = concat(
      [{
        type   = "alarm"
        x      = 0
        y      = 0
        width  = 24
        height = 3
        properties = {
          title  = "Alarms (docs/runbook.md)"
          alarms = [for alarm in local.dashboard_alarms : alarm.arn]
        }
      }],
      local.alarm_graphs,
      [{
        type   = "log"
        x      = 0
        y      = 15
        width  = 24
        height = 8
        properties = {
          title  = "Latest ERROR lines"
          region = local.region
          view   = "table"
          query  = "SOURCE '${aws_cloudwatch_log_group.function.name}' | fields @timestamp, message, error, correlation_id, collection_name, message_id | filter log_level = \"ERROR\" | sort @timestamp desc | limit 50"
        }
      }],
    )
  })
}
