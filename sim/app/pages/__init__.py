"""Pages of the tradesim Streamlit app."""
