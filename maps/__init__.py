"""Interactive planning maps (Folium), one module per map; offline by default."""
