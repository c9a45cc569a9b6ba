"""The org chart: positions and reporting lines (models, the chart's rules and forms). Its
pages are the handbook part's (岗位手册 shows and edits the chart)."""
