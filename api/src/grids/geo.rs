//! Grid boundaries: GeoJSON Polygon / MultiPolygon geometries in WGS-84 (RFC 7946), validated,
//! with their bounding box and a point-in-polygon test; and the GCJ-02 → WGS-84 conversion for
//! coordinates taken from Chinese map services (AMap, Tencent), which publish in GCJ-02.
use serde_json::{json, Value};

pub type Ring = Vec<(f64, f64)>;
/// Polygons, each an outer ring followed by its holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape(pub Vec<Vec<Ring>>);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_lng: f64,
    pub min_lat: f64,
    pub max_lng: f64,
    pub max_lat: f64,
}

/// Parses and checks a GeoJSON geometry; the error says what is wrong and where.
pub fn parse(geometry: &Value) -> Result<Shape, String> {
    let kind = geometry
        .get("type")
        .and_then(Value::as_str)
        .ok_or("the geometry needs a \"type\"")?;
    let coords = geometry
        .get("coordinates")
        .ok_or("the geometry needs \"coordinates\"")?;
    if let Some(obj) = geometry.as_object() {
        if let Some(extra) = obj
            .keys()
            .find(|k| !matches!(k.as_str(), "type" | "coordinates" | "bbox"))
        {
            return Err(format!("unexpected member \"{extra}\" in the geometry"));
        }
    }
    match kind {
        "Polygon" => Ok(Shape(vec![polygon(coords, "coordinates")?])),
        "MultiPolygon" => {
            let polys = coords
                .as_array()
                .ok_or("MultiPolygon coordinates must be an array of polygons")?;
            if polys.is_empty() {
                return Err("a MultiPolygon needs at least one polygon".into());
            }
            polys
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(p, &format!("coordinates[{i}]")))
                .collect::<Result<_, _>>()
                .map(Shape)
        }
        other => Err(format!(
            "a grid boundary is a Polygon or MultiPolygon, not {other}"
        )),
    }
}

fn polygon(v: &Value, at: &str) -> Result<Vec<Ring>, String> {
    let rings = v
        .as_array()
        .ok_or_else(|| format!("{at} must be an array of linear rings"))?;
    if rings.is_empty() {
        return Err(format!("{at}: a polygon needs an outer ring"));
    }
    rings
        .iter()
        .enumerate()
        .map(|(i, r)| ring(r, &format!("{at}[{i}]")))
        .collect()
}

fn ring(v: &Value, at: &str) -> Result<Ring, String> {
    let positions = v
        .as_array()
        .ok_or_else(|| format!("{at} must be an array of positions"))?;
    if positions.len() < 4 {
        return Err(format!(
            "{at}: a linear ring needs at least 4 positions, it has {}",
            positions.len()
        ));
    }
    let mut out = Vec::with_capacity(positions.len());
    for (i, p) in positions.iter().enumerate() {
        let nums = p
            .as_array()
            .filter(|a| (2..=3).contains(&a.len()))
            .ok_or_else(|| format!("{at}[{i}] must be [longitude, latitude]"))?;
        let lng = nums[0]
            .as_f64()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("{at}[{i}]: longitude is not a number"))?;
        let lat = nums[1]
            .as_f64()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("{at}[{i}]: latitude is not a number"))?;
        if !(-180.0..=180.0).contains(&lng) || !(-90.0..=90.0).contains(&lat) {
            return Err(format!(
                "{at}[{i}]: [{lng}, {lat}] is not a WGS-84 longitude/latitude (did you swap them?)"
            ));
        }
        out.push((lng, lat));
    }
    if out.first() != out.last() {
        return Err(format!(
            "{at}: the ring is not closed (its last position must equal its first)"
        ));
    }
    let distinct = {
        let mut d: Vec<(u64, u64)> = out
            .iter()
            .map(|(a, b)| (a.to_bits(), b.to_bits()))
            .collect();
        d.sort();
        d.dedup();
        d.len()
    };
    if distinct < 3 || area2(&out).abs() < 1e-18 {
        return Err(format!("{at}: the ring encloses no area"));
    }
    Ok(out)
}

/// Twice the signed area (shoelace).
fn area2(r: &Ring) -> f64 {
    r.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum()
}

impl Shape {
    pub fn bbox(&self) -> BBox {
        let mut b = BBox {
            min_lng: f64::MAX,
            min_lat: f64::MAX,
            max_lng: f64::MIN,
            max_lat: f64::MIN,
        };
        for (lng, lat) in self.0.iter().flat_map(|p| p[0].iter()) {
            b.min_lng = b.min_lng.min(*lng);
            b.max_lng = b.max_lng.max(*lng);
            b.min_lat = b.min_lat.min(*lat);
            b.max_lat = b.max_lat.max(*lat);
        }
        b
    }

    /// Inside an outer ring and outside its holes (points on an edge count as inside).
    pub fn contains(&self, lng: f64, lat: f64) -> bool {
        self.0.iter().any(|poly| {
            in_ring(&poly[0], lng, lat) && !poly[1..].iter().any(|hole| in_ring(hole, lng, lat))
        })
    }

    pub fn to_geojson(&self) -> Value {
        let poly = |p: &Vec<Ring>| -> Value {
            p.iter()
                .map(|r| r.iter().map(|(a, b)| json!([a, b])).collect::<Vec<_>>())
                .collect()
        };
        if self.0.len() == 1 {
            json!({"type": "Polygon", "coordinates": poly(&self.0[0])})
        } else {
            json!({"type": "MultiPolygon", "coordinates": self.0.iter().map(poly).collect::<Vec<_>>()})
        }
    }

    pub fn map(&self, f: impl Fn(f64, f64) -> (f64, f64)) -> Shape {
        Shape(
            self.0
                .iter()
                .map(|p| {
                    p.iter()
                        .map(|r| r.iter().map(|(a, b)| f(*a, *b)).collect())
                        .collect()
                })
                .collect(),
        )
    }
}

fn in_ring(r: &Ring, x: f64, y: f64) -> bool {
    let mut inside = false;
    for w in r.windows(2) {
        let ((x1, y1), (x2, y2)) = (w[0], w[1]);
        // On the edge: inside.
        let cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1);
        if cross.abs() < 1e-12
            && x >= x1.min(x2)
            && x <= x1.max(x2)
            && y >= y1.min(y2)
            && y <= y1.max(y2)
        {
            return true;
        }
        if (y1 > y) != (y2 > y) && x < (x2 - x1) * (y - y1) / (y2 - y1) + x1 {
            inside = !inside;
        }
    }
    inside
}

// GCJ-02 ("Mars coordinates") as published for mainland China: WGS-84 plus an obfuscating offset.
const A: f64 = 6378245.0;
const EE: f64 = 0.006_693_421_622_965_943;

fn outside_china(lng: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lng) || !(0.8293..=55.8271).contains(&lat)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn transform_lng(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

pub fn wgs84_to_gcj02(lng: f64, lat: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    if outside_china(lng, lat) {
        return (lng, lat);
    }
    let mut dlat = transform_lat(lng - 105.0, lat - 35.0);
    let mut dlng = transform_lng(lng - 105.0, lat - 35.0);
    let rad = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    dlng = (dlng * 180.0) / (A / sqrt_magic * rad.cos() * PI);
    (lng + dlng, lat + dlat)
}

/// The inverse, by fixed-point iteration (the forward offset varies slowly): better than 1 cm.
pub fn gcj02_to_wgs84(lng: f64, lat: f64) -> (f64, f64) {
    let (mut x, mut y) = (lng, lat);
    for _ in 0..10 {
        let (gx, gy) = wgs84_to_gcj02(x, y);
        x -= gx - lng;
        y -= gy - lat;
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, d: f64) -> Value {
        json!({"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]})
    }

    #[test]
    fn valid_polygons_parse_with_their_bbox_and_contain_points() {
        let s = parse(&square(119.97, 31.79, 0.01)).unwrap();
        let b = s.bbox();
        assert_eq!((b.min_lng, b.max_lat), (119.97, 31.8));
        assert!(s.contains(119.975, 31.795));
        assert!(s.contains(119.97, 31.795), "edges count as inside");
        assert!(!s.contains(119.99, 31.795));
    }

    #[test]
    fn holes_and_multipolygons() {
        let g = json!({"type": "MultiPolygon", "coordinates": [
            [[[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]], [[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]]],
            [[[20.0, 20.0], [21.0, 20.0], [21.0, 21.0], [20.0, 20.0]]]
        ]});
        let s = parse(&g).unwrap();
        assert!(s.contains(1.0, 1.0));
        assert!(!s.contains(5.0, 5.0), "inside the hole");
        assert!(s.contains(20.9, 20.5));
        assert_eq!(parse(&s.to_geojson()).unwrap(), s);
    }

    #[test]
    fn bad_geometry_is_refused_with_a_reason() {
        let cases = [
            (
                json!({"type": "Point", "coordinates": [1, 2]}),
                "Polygon or MultiPolygon",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}),
                "not closed",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}),
                "at least 4",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[31.8, 119.9], [31.9, 119.9], [31.9, 120.0], [31.8, 119.9]]]}),
                "swap",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}),
                "no area",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], ["a", 0], [1, 1], [0, 0]]]}),
                "not a number",
            ),
            (json!({"type": "Polygon"}), "coordinates"),
            (
                json!({"type": "Polygon", "coordinates": [], "crs": {}}),
                "unexpected member",
            ),
        ];
        for (g, want) in cases {
            let err = parse(&g).unwrap_err();
            assert!(err.contains(want), "{g}: {err}");
        }
    }

    #[test]
    fn gcj02_round_trips_and_leaves_points_outside_china_alone() {
        let (lng, lat) = (119.9741, 31.7926); // 常州
        let (gx, gy) = wgs84_to_gcj02(lng, lat);
        assert!(
            (gx - lng).abs() > 1e-4,
            "GCJ-02 is offset by hundreds of metres"
        );
        let (bx, by) = gcj02_to_wgs84(gx, gy);
        assert!((bx - lng).abs() < 1e-7 && (by - lat).abs() < 1e-7);
        assert_eq!(wgs84_to_gcj02(2.35, 48.85), (2.35, 48.85));
    }
}
