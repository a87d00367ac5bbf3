"""dps: Korean LLM-pretraining data pipeline on Spark."""

__version__ = "0.1.0"
