DROP TABLE order_events;
DROP TABLE service_orders;
DROP TABLE menu_items;
