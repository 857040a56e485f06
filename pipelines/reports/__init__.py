"""Client audits: period metrics from the marts become findings, an HTML report and a
CSV scorecard per client (see pipelines/defs/assets/reports.py and `rapport report`)."""
