//! Menu-style service projects (菜单式服务): co-building units and their pairing with communities,
//! and the street's yearly project list that units claim. (Menus, orders and wishes build on these.)
pub mod dto;
pub mod projects;
pub mod routes;
pub mod units;
