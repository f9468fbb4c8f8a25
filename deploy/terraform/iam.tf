# The function's role: exactly the actions the code performs, on exactly the resources
# it touches. What the code calls (src/adapters, src/aws):
#   export status table   GetItem, UpdateItem (conditional; also inside the count's
#                         TransactWriteItems), Query (all pages, table only)
#   file receipts table   PutItem (conditional, only inside TransactWriteItems), GetItem
#   product status table  GetItem, UpdateItem (conditional)
#   export-state queue    SendMessage
#   monitoring topic      Publish
# Lambda's poller receives and deletes the source queue's messages with this role, and
# the runtime writes the function's logs with it.

locals {
  kms_key_arns = compact(concat(var.kms_key_arns, [var.file_receipts_kms_key_arn]))
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  name               = "${var.function_name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "function" {
  statement {
    sid = "ExportStatusTable"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:UpdateItem",
      "dynamodb:Query",
    ]
    resources = [data.aws_dynamodb_table.export_status.arn]
  }

  # A count is one TransactWriteItems: a conditional Put of the file's receipt and a
  # conditional Update (ADD FilesReceived) of the collection's row. IAM has no action for
  # the transaction itself: it checks each action's own, dynamodb:PutItem on the receipts
  # table and dynamodb:UpdateItem on the export status table (granted above), and
  # dynamodb:ConditionCheckItem only for ConditionCheck actions, which the count has none of.
  statement {
    sid       = "FileReceiptsTableCount"
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.file_receipts.arn]
    # A receipt is only ever written with its count.
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "dynamodb:EnclosingOperation"
      values   = ["TransactWriteItems"]
    }
  }

  statement {
    # Reading a receipt back: whose count it was, after a refused or unanswered count.
    sid       = "FileReceiptsTableRead"
    actions   = ["dynamodb:GetItem"]
    resources = [aws_dynamodb_table.file_receipts.arn]
  }

  statement {
    sid = "ProductStatusTable"
    actions = [
      "dynamodb:GetItem",
      # Creates the SNAPSHOT_SENDER item when it is missing (UpdateItem upserts), so
      # no PutItem is needed.
      "dynamodb:UpdateItem",
    ]
    resources = [data.aws_dynamodb_table.product_status.arn]
  }

  statement {
    sid       = "ExportStateQueue"
    actions   = ["sqs:SendMessage"]
    resources = [data.aws_sqs_queue.export_state.arn]
  }

  statement {
    sid       = "MonitoringTopic"
    actions   = ["sns:Publish"]
    resources = [data.aws_sns_topic.monitoring.arn]
  }

  statement {
    # What the event source mapping needs (the actions of AWS's managed policy
    # AWSLambdaSQSQueueExecutionRole, on this queue only). The function never changes
    # a message's visibility itself: failed items simply are not deleted.
    sid = "SourceQueue"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
    ]
    resources = [aws_sqs_queue.source.arn]
  }

  statement {
    # The log group is made by Terraform (main.tf), so no CreateLogGroup.
    sid = "Logs"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }

  dynamic "statement" {
    # Encrypted tables, queues or topic with customer managed keys: data keys for
    # SendMessage/Publish and decryption for DynamoDB, limited to calls made through
    # those services.
    for_each = length(local.kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "CustomerManagedKeys"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = local.kms_key_arns
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values = [
          "dynamodb.${data.aws_region.current.name}.amazonaws.com",
          "sqs.${data.aws_region.current.name}.amazonaws.com",
          "sns.${data.aws_region.current.name}.amazonaws.com",
        ]
      }
    }
  }

  dynamic "statement" {
    # Lambda attaches network interfaces in the VPC with the function's role. These
    # EC2 actions do not support resource-level scoping for this use, hence "*"
    # (the actions of AWS's AWSLambdaVPCAccessExecutionRole, without its log rights).
    for_each = local.in_vpc ? [1] : []
    content {
      sid = "VpcNetworkInterfaces"
      actions = [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "function" {
  name   = "${var.function_name}-least-privilege"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}
