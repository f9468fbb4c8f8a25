terraform {
  # 1.5: `check` blocks; cross-object preconditions below need nothing newer.
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.x: function_response_types and scaling_config on event source mappings
      # (6.x renames aws_region's attributes: check before moving).
      version = "~> 5.0"
    }
  }
}
