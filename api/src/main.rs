//! The `tongxin` command: parse arguments, build the configuration, call into the library.
use std::io::{IsTerminal, Write};

use clap::{Parser, Subcommand};
use tongxin::config::{self, DbArgs, ServeArgs};

#[derive(Parser)]
#[command(
    name = "tongxin",
    version,
    about = "Tongxin (同心): party-building-led community governance"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (API, docs and the web app).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print the OpenAPI document (YAML) to stdout.
    Openapi,
    /// Print a roster import file (CSV) of `rows` valid, distinct members for `branch`, for
    /// `scripts/bench` to time the import.
    #[command(hide = true)]
    BenchRosterFile {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        #[arg(long)]
        branch: String,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Fill the database with a large synthetic dataset for `scripts/bench`.
    SeedBench {
        #[command(flatten)]
        db: DbArgs,
        /// Number of branches to create (regions and users scale with it).
        #[arg(long, default_value_t = 100_000)]
        scale: usize,
        /// Also create this many grids, each with `--households-per-grid` households and visits.
        #[arg(long)]
        grids: Option<usize>,
        #[arg(long, default_value_t = 100)]
        households_per_grid: usize,
        /// Average visits per household over the past year.
        #[arg(long, default_value_t = 2.5)]
        visits_per_household: f64,
        /// Also create this many party members in the branches, with a year of meetings.
        #[arg(long)]
        members: Option<usize>,
        /// Attendance rows (members expected at meetings) to create with `--members`.
        #[arg(long, default_value_t = 2_000_000)]
        attendance: usize,
        /// Key that seals ID numbers and phone numbers (as for `serve`).
        #[arg(long, env = "TONGXIN_DATA_KEY", hide_env_values = true)]
        data_key: Option<String>,
        /// Also create this many volunteer teams (20 volunteers each) with activities and hours.
        #[arg(long)]
        teams: Option<usize>,
        /// Activities over the past year, with `--teams`.
        #[arg(long, default_value_t = 1_000_000)]
        activities: usize,
        /// Service-hours ledger rows, with `--teams`.
        #[arg(long, default_value_t = 10_000_000)]
        hour_entries: usize,
        /// Also create this many service orders over the communities.
        #[arg(long)]
        orders: Option<usize>,
        /// Also create this many resident concerns over the communities.
        #[arg(long)]
        concerns: Option<usize>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user with one role grant. The password comes from TONGXIN_PASSWORD or a prompt.
    Create {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// admin, street_staff, community_staff, grid_worker, branch_secretary, unit_contact, member, resident, integration
        #[arg(long)]
        role: String,
        /// The id of the region, branch, grid or unit the role is granted on (not for admin/member/resident).
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
    },
}

fn open(db: &DbArgs, demo: bool) -> Result<tongxin::db::DbPool, String> {
    let url = db.url(demo);
    let pool = tongxin::db::connect(&url, &db.pool_options())?;
    let mut conn = pool
        .get()
        .map_err(|e| format!("cannot connect to {}: {e}", tongxin::db::redact_url(&url)))?;
    let applied = tongxin::db::migrate(&mut conn)?;
    if applied > 0 {
        log::info!("applied {applied} migration(s)");
    }
    Ok(pool)
}

fn read_password() -> Result<String, String> {
    if let Ok(p) = std::env::var("TONGXIN_PASSWORD") {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err("set TONGXIN_PASSWORD (no terminal to prompt on)".into());
    }
    let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
    let second = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
    if first != second {
        return Err("the passwords differ".into());
    }
    Ok(first)
}

fn run(cli: Cli) -> Result<(), String> {
    // Every command (serve, demo, seed-bench) dates things by the street's calendar.
    if let Ok(offset) = std::env::var("TONGXIN_UTC_OFFSET") {
        tongxin::clock::set_offset(
            tongxin::clock::parse_offset(&offset)
                .map_err(|e| format!("TONGXIN_UTC_OFFSET: {e}"))?,
        );
    }
    match cli.command {
        Command::Openapi => std::io::stdout()
            .write_all(tongxin::openapi::to_yaml().as_bytes())
            .map_err(|e| e.to_string()),
        Command::BenchRosterFile { rows, branch } => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            out.write_all(tongxin::demo::bench::roster_file(rows, &branch).as_bytes())
                .map_err(|e| e.to_string())
        }
        Command::Migrate { db } => open(&db, false).map(|_| log::info!("database is up to date")),
        Command::User {
            command:
                UserCommand::Create {
                    db,
                    username,
                    role,
                    scope,
                    display_name,
                },
        } => {
            let pool = open(&db, false)?;
            let password = read_password()?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let id = tongxin::users::service::create_from_cli(
                &mut conn,
                &username,
                display_name.as_deref(),
                &password,
                &role,
                scope.as_deref(),
            )?;
            println!("created user {username} ({id}) as {role}");
            Ok(())
        }
        Command::SeedBench {
            db,
            scale,
            grids,
            households_per_grid,
            visits_per_household,
            members,
            attendance,
            data_key,
            teams,
            activities,
            hour_entries,
            orders,
            concerns,
        } => {
            let pool = open(&db, false)?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let grids = grids.map(|grids| tongxin::demo::bench::GridScale {
                grids,
                households_per_grid,
                visits_per_household,
            });
            let sealer = tongxin::sealed::Sealer::new(&tongxin::sealed::load_or_create_key(
                data_key.as_deref(),
                &db.data_dir,
            )?);
            let members = members.map(|members| tongxin::demo::bench::MemberScale {
                members,
                attendance,
            });
            let volunteers = teams.map(|teams| tongxin::demo::bench::VolunteerScale {
                teams,
                activities,
                entries: hour_entries,
            });
            tongxin::demo::bench::seed(
                &mut conn, &sealer, scale, grids, members, volunteers, orders,
            )?;
            if let Some(n) = concerns {
                let t = std::time::Instant::now();
                tongxin::demo::bench::seed_concerns(&mut conn, n).map_err(|e| e.to_string())?;
                diesel::connection::SimpleConnection::batch_execute(&mut conn, "ANALYZE")
                    .map_err(|e| e.to_string())?;
                println!("seeded {n} concerns in {:.1}s", t.elapsed().as_secs_f64());
            }
            Ok(())
        }
        Command::Serve { db, serve } => {
            let url = db.url(serve.demo);
            log::info!(
                "tongxin {} starting: {}",
                env!("CARGO_PKG_VERSION"),
                config::describe(&db, &serve, &url)
            );
            let pool = open(&db, serve.demo)?;
            let secret = tongxin::auth::jwt::load_or_create_secret(
                serve.auth.jwt_secret.as_deref(),
                &db.data_dir,
            )?;
            let data_key =
                tongxin::sealed::load_or_create_key(serve.data_key.as_deref(), &db.data_dir)?;
            {
                // Phones written before they were sealed are sealed now, with this data key.
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                let sealed = tongxin::phones::seal_at_rest(
                    &mut conn,
                    &tongxin::sealed::Sealer::new(&data_key),
                )
                .map_err(|e| format!("sealing phone numbers failed: {e}"))?;
                for (column, n) in sealed.into_iter().filter(|(_, n)| *n > 0) {
                    log::info!(
                        "sealed {n} phone number(s) in {}.{}",
                        column.table(),
                        column.column()
                    );
                }
            }
            if serve.demo {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                tongxin::demo::load(&mut conn, &tongxin::sealed::Sealer::new(&data_key))?;
            }
            let web_dir = Some(serve.web_dir.clone());
            if !serve.web_dir.join("index.html").exists() {
                log::warn!("no web app at {} (build it with `npm --prefix web run build`); serving the API only", serve.web_dir.display());
            }
            let state = actix_web::web::Data::new(
                tongxin::AppState::new(pool, &secret, serve.auth.clone(), web_dir)
                    .with_report_cache(serve.report_cache_entries)
                    .with_stats_ttl(serve.stats_ttl_secs)
                    .with_data_key(&data_key),
            );
            actix_web::rt::System::new()
                .block_on(tongxin::serve(
                    state,
                    &serve.bind,
                    serve.workers,
                    serve.demo,
                ))
                .map_err(|e| e.to_string())
        }
    }
}

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    if let Err(e) = run(Cli::parse()) {
        eprintln!("tongxin: {e}");
        std::process::exit(1);
    }
}
