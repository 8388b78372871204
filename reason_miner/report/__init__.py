"""Report writers: report.xlsx, report.html, plan.docx, report.md and findings.json.

All of them read the same `AnalysisResult` through `tables.build_tables`, so the numbers agree.
Text from forms is untrusted: `safe` escapes it for HTML/Markdown and neutralises Excel formulas.
"""
