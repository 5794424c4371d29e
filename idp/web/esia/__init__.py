"""The ESIA dialect's HTTP surface: blueprints, views, the ESIA error renderer."""
