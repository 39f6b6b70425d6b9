"""The web UI's helpers: page text, case catalog, HTML, chart and the Gradio-free backend; app.py wires them."""
