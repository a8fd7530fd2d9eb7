//! Concurrent writers on SQLite: a transaction that reads before it writes must wait for another
//! writer, not fail with "database is locked" (which answered 500 to concurrent orders).
use diesel::prelude::*;
use tongxin::db::schema::data_versions;

#[test]
fn write_transactions_that_read_first_wait_for_each_other() {
    let app = crate::common::TestApp::sqlite_empty(crate::common::test_auth());
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let pool = app.state.pool.clone();
            std::thread::spawn(move || -> Result<(), diesel::result::Error> {
                let mut conn = pool.get().expect("a connection");
                tongxin::db::write(&mut conn, |c| {
                    // Read, give the others time to start, then write.
                    let v: i64 = data_versions::table
                        .find("members")
                        .select(data_versions::version)
                        .first(c)?;
                    std::thread::sleep(std::time::Duration::from_millis(30));
                    diesel::update(data_versions::table.find("members"))
                        .set(data_versions::version.eq(v + 1))
                        .execute(c)?;
                    Ok(())
                })
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no panic").expect("every writer commits");
    }
    let mut conn = app.state.pool.get().unwrap();
    let v: i64 = data_versions::table
        .find("members")
        .select(data_versions::version)
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        v, 6,
        "no lost update: each read saw the previous writer's value"
    );
}
