"""Pure text functions: one document in, text or a rejection reason out. No Spark, no pyarrow."""
