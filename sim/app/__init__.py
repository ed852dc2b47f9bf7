"""The tradesim Streamlit app."""
