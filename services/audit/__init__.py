"""The audit trail as people see it: views of sensitive items, and an item's history."""
