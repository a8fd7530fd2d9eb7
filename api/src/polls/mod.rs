//! Satisfaction polls (民意测评) of a community's cadres: one anonymous vote per account, the
//! satisfaction rate per cadre with the 60 % / 70 % outcomes, and rectification (整改) with a
//! deadline for the warned.
pub mod dto;
pub mod electorate;
pub mod routes;
pub mod service;
