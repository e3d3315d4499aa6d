"""Looking after a store and a topic: status, verification, estimates, explanations, labels and tuning."""
