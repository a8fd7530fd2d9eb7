-- Menus (单位列菜谱): what a unit, a volunteer team or a volunteer offers the residents of a
-- community; and service orders (居民来点菜) through 点单 → 派单 → 接单 → 评单, each step in the
-- order's timeline (`order_events`).
CREATE TABLE menu_items (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES regions(id),
    provider_type TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    category_id TEXT REFERENCES service_categories(id),
    title TEXT NOT NULL,
    description TEXT,
    place TEXT,
    schedule TEXT,
    monthly_capacity INTEGER,
    status TEXT NOT NULL DEFAULT 'active',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX menu_items_community ON menu_items(community_id, status, title);
CREATE INDEX menu_items_provider ON menu_items(provider_type, provider_id);

CREATE TABLE service_orders (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES regions(id),
    resident_id TEXT NOT NULL REFERENCES users(id),
    resident_name TEXT NOT NULL,
    contact_phone TEXT,
    address TEXT,
    menu_item_id TEXT REFERENCES menu_items(id),
    title TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    provider_type TEXT,
    provider_id TEXT,
    provider_name TEXT,
    dispatched_at TIMESTAMP,
    accept_due_at TIMESTAMP,
    accepted_at TIMESTAMP,
    complete_due_at TIMESTAMP,
    completed_at TIMESTAMP,
    minutes INTEGER,
    evidence TEXT NOT NULL DEFAULT '[]',
    rating INTEGER,
    comment TEXT,
    rated_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX service_orders_board ON service_orders(community_id, status, created_at);
CREATE INDEX service_orders_recent ON service_orders(community_id, created_at);
CREATE INDEX service_orders_resident ON service_orders(resident_id, created_at);
CREATE INDEX service_orders_provider ON service_orders(provider_type, provider_id, status);

CREATE TABLE order_events (
    id TEXT PRIMARY KEY NOT NULL,
    order_id TEXT NOT NULL REFERENCES service_orders(id),
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT
);
CREATE INDEX order_events_order ON order_events(order_id, at);
