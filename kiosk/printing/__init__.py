"""Receipt documents (data first, laid out for the paper) and the stored print queue."""
