"""Pages and pictures for people, from plain data (report dicts, profile documents): no Spark, no job modules."""
