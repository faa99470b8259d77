"""The domain of tips: the model, loading and validation, selection and search."""
