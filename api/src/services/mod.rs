//! Menu-style service projects (菜单式服务): co-building units and their pairing with communities,
//! and the street's yearly project list that units claim. Units and teams publish menus that residents order from, through 点单 → 派单 → 接单 → 评单.
pub mod agreements;
pub mod dto;
pub mod orders;
pub mod projects;
pub mod routes;
pub mod units;
pub mod wishes;
