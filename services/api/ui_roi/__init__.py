"""The ROI dashboard page (/ui/roi): server-rendered with Jinja2, charts as inline SVG."""
