// Written to match migrations/{sqlite,postgres}; `tests/schema_parity.rs` checks both backends agree.
diesel::table! {
    regions (id) {
        id -> Text,
        parent_id -> Nullable<Text>,
        level -> Text,
        name -> Text,
        code -> Nullable<Text>,
        path -> Text,
        depth -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    branches (id) {
        id -> Text,
        parent_id -> Nullable<Text>,
        region_id -> Text,
        kind -> Text,
        establishment -> Text,
        name -> Text,
        secretary_name -> Nullable<Text>,
        member_count -> Integer,
        path -> Text,
        depth -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        active -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        session_version -> Integer,
        community_id -> Nullable<Text>,
    }
}

diesel::table! {
    grants (id) {
        id -> Text,
        user_id -> Text,
        role -> Text,
        scope_type -> Text,
        scope_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_name -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        client_addr -> Nullable<Text>,
        detail -> Nullable<Text>,
        subject_id -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> Text,
        owner -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        location -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        committed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttles (user_id, source) {
        user_id -> Text,
        source -> Text,
        failures -> Integer,
        blocked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(branches -> regions (region_id));
diesel::joinable!(grants -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(login_throttles -> users (user_id));
diesel::joinable!(poll_electors -> polls (poll_id));

diesel::allow_tables_to_appear_in_same_query!(
    login_throttles,
    poll_electors,
    concern_routes,
    concerns,
    concern_events,
    concern_photos,
    polls,
    poll_cadres,
    poll_ballots,
    rectifications,
    assessments,
    stat_snapshots,
    agreements,
    agreement_commitments,
    agreement_documents,
    wishes,
    menu_items,
    service_orders,
    order_events,
    units,
    unit_pairings,
    service_categories,
    service_projects,
    project_claims,
    volunteers,
    volunteer_teams,
    team_members,
    activities,
    activity_signups,
    service_hours,
    service_hours_monthly,
    hour_claims,
    data_versions,
    branch_committees,
    calendar_feeds,
    check_ins,
    members,
    member_transfers,
    member_affiliations,
    meetings,
    meeting_attendance,
    regions,
    branches,
    grids,
    grid_roles,
    households,
    visits,
    jobs,
    users,
    grants,
    refresh_tokens,
    audit_events,
    idempotency_keys,
);

diesel::table! {
    grids (id) {
        id -> Text,
        community_id -> Text,
        branch_id -> Nullable<Text>,
        name -> Text,
        code -> Nullable<Text>,
        household_count -> Integer,
        boundary -> Nullable<Text>,
        min_lng -> Nullable<Double>,
        min_lat -> Nullable<Double>,
        max_lng -> Nullable<Double>,
        max_lat -> Nullable<Double>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        activity_version -> BigInt,
    }
}

diesel::table! {
    grid_roles (id) {
        id -> Text,
        grid_id -> Text,
        role -> Text,
        user_id -> Nullable<Text>,
        person_name -> Text,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    households (id) {
        id -> Text,
        grid_id -> Text,
        building -> Text,
        unit -> Text,
        room -> Text,
        residents -> Integer,
        head_name -> Text,
        // `head_phone` (clear) is left out: the start-up step `phones::seal_at_rest` empties it.
        head_phone_sealed -> Nullable<Text>,
        head_phone_index -> Nullable<Text>,
        head_phone_masked -> Nullable<Text>,
        tags -> Text,
        key_group -> Bool,
        last_visited_on -> Nullable<Date>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    visits (id) {
        id -> Text,
        household_id -> Text,
        grid_id -> Text,
        worker_id -> Nullable<Text>,
        worker_name -> Text,
        visited_on -> Date,
        kind -> Text,
        notes -> Nullable<Text>,
        concern_found -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        kind -> Text,
        owner_id -> Text,
        status -> Text,
        total -> Integer,
        processed -> Integer,
        created_count -> Integer,
        updated_count -> Integer,
        errors -> Text,
        message -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        lease_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(households -> grids (grid_id));
diesel::joinable!(visits -> households (household_id));
diesel::joinable!(grids -> regions (community_id));
diesel::joinable!(grid_roles -> grids (grid_id));

diesel::table! {
    members (id) {
        id -> Text,
        branch_id -> Text,
        name -> Text,
        gender -> Text,
        birth_date -> Date,
        id_number_sealed -> Text,
        id_number_index -> Text,
        id_number_masked -> Text,
        // `phone` (clear) is left out: the start-up step `phones::seal_at_rest` empties it.
        phone_sealed -> Nullable<Text>,
        phone_index -> Nullable<Text>,
        phone_masked -> Nullable<Text>,
        education -> Nullable<Text>,
        joined_on -> Date,
        join_md -> Text,
        full_member_on -> Nullable<Date>,
        category -> Text,
        grid_id -> Nullable<Text>,
        household_id -> Nullable<Text>,
        work_unit -> Nullable<Text>,
        user_id -> Nullable<Text>,
        status -> Text,
        status_changed_on -> Nullable<Date>,
        status_reason -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    member_transfers (id) {
        id -> Text,
        member_id -> Text,
        from_branch_id -> Text,
        to_branch_id -> Nullable<Text>,
        destination -> Nullable<Text>,
        status -> Text,
        reason -> Nullable<Text>,
        requested_by -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
    }
}

diesel::table! {
    member_affiliations (id) {
        id -> Text,
        member_id -> Text,
        branch_id -> Text,
        joined_on -> Date,
        left_on -> Nullable<Date>,
    }
}

diesel::table! {
    meetings (id) {
        id -> Text,
        branch_id -> Text,
        kind -> Text,
        held_on -> Date,
        topic -> Text,
        place -> Nullable<Text>,
        minutes -> Nullable<Text>,
        expected_count -> Integer,
        present_count -> Integer,
        excused_count -> Integer,
        recorded -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    meeting_attendance (meeting_id, member_id) {
        meeting_id -> Text,
        member_id -> Text,
        member_name -> Text,
        status -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::joinable!(members -> branches (branch_id));
diesel::joinable!(meetings -> branches (branch_id));
diesel::joinable!(meeting_attendance -> meetings (meeting_id));
diesel::joinable!(meeting_attendance -> members (member_id));
diesel::joinable!(member_affiliations -> members (member_id));

diesel::table! {
    calendar_feeds (user_id) {
        user_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    check_ins (id) {
        id -> Text,
        member_id -> Text,
        community_id -> Text,
        checked_in_on -> Date,
        ended_on -> Nullable<Date>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(check_ins -> members (member_id));
diesel::joinable!(check_ins -> regions (community_id));

diesel::table! {
    branch_committees (id) {
        id -> Text,
        branch_id -> Text,
        term_start -> Date,
        term_end -> Date,
        members -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(branch_committees -> branches (branch_id));

diesel::table! {
    data_versions (name) {
        name -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    volunteers (id) {
        id -> Text,
        name -> Text,
        // `phone` (clear) is left out: the start-up step `phones::seal_at_rest` empties it.
        phone_sealed -> Nullable<Text>,
        phone_index -> Nullable<Text>,
        phone_masked -> Nullable<Text>,
        member_id -> Nullable<Text>,
        user_id -> Nullable<Text>,
        region_id -> Text,
        specialties -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    volunteer_teams (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        colour -> Nullable<Text>,
        specialties -> Text,
        description -> Nullable<Text>,
        region_id -> Text,
        branch_id -> Nullable<Text>,
        leader_id -> Nullable<Text>,
        status -> Text,
        member_count -> Integer,
        calendar_secret -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    team_members (team_id, volunteer_id) {
        team_id -> Text,
        volunteer_id -> Text,
        joined_on -> Date,
    }
}

diesel::table! {
    activities (id) {
        id -> Text,
        team_id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        place -> Text,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        check_in_radius_m -> Integer,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        capacity -> Integer,
        confirmed_count -> Integer,
        waitlist_count -> Integer,
        status -> Text,
        code_secret -> Text,
        created_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    activity_signups (activity_id, volunteer_id) {
        activity_id -> Text,
        volunteer_id -> Text,
        status -> Text,
        signed_up_at -> Timestamp,
        updated_at -> Timestamp,
        checked_in_at -> Nullable<Timestamp>,
        checked_out_at -> Nullable<Timestamp>,
        check_in_method -> Nullable<Text>,
        attendance -> Nullable<Text>,
    }
}

diesel::table! {
    service_hours (id) {
        id -> Text,
        volunteer_id -> Text,
        team_id -> Nullable<Text>,
        region_id -> Text,
        source -> Text,
        source_id -> Nullable<Text>,
        kind -> Text,
        minutes -> Integer,
        served_on -> Date,
        reverses_id -> Nullable<Text>,
        note -> Nullable<Text>,
        recorded_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    service_hours_monthly (region_id, month, volunteer_id) {
        region_id -> Text,
        month -> Text,
        volunteer_id -> Text,
        credited_minutes -> BigInt,
        make_up_minutes -> BigInt,
    }
}

diesel::table! {
    hour_claims (id) {
        id -> Text,
        volunteer_id -> Text,
        team_id -> Text,
        activity_id -> Nullable<Text>,
        minutes -> Integer,
        served_on -> Date,
        reason -> Text,
        status -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        entry_id -> Nullable<Text>,
    }
}

diesel::joinable!(volunteers -> regions (region_id));
diesel::joinable!(volunteer_teams -> regions (region_id));
diesel::joinable!(team_members -> volunteer_teams (team_id));
diesel::joinable!(team_members -> volunteers (volunteer_id));
diesel::joinable!(activities -> volunteer_teams (team_id));
diesel::joinable!(activity_signups -> activities (activity_id));
diesel::joinable!(activity_signups -> volunteers (volunteer_id));
diesel::joinable!(service_hours -> volunteers (volunteer_id));
diesel::joinable!(service_hours_monthly -> volunteers (volunteer_id));
diesel::joinable!(service_hours_monthly -> regions (region_id));
diesel::joinable!(hour_claims -> volunteers (volunteer_id));
diesel::joinable!(hour_claims -> volunteer_teams (team_id));

diesel::table! {
    units (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        party_org -> Nullable<Text>,
        address -> Nullable<Text>,
        contact_name -> Nullable<Text>,
        // `contact_phone` (clear) is left out: the start-up step `phones::seal_at_rest` empties it.
        contact_phone_sealed -> Nullable<Text>,
        contact_phone_index -> Nullable<Text>,
        contact_phone_masked -> Nullable<Text>,
        region_id -> Text,
        status -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    unit_pairings (unit_id, community_id) {
        unit_id -> Text,
        community_id -> Text,
        paired_on -> Date,
    }
}

diesel::table! {
    service_categories (id) {
        id -> Text,
        region_id -> Text,
        year -> Integer,
        parent_id -> Nullable<Text>,
        name -> Text,
        sort -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    service_projects (id) {
        id -> Text,
        region_id -> Text,
        year -> Integer,
        category_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        need -> Integer,
        claimed -> Integer,
        status -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    project_claims (id) {
        id -> Text,
        project_id -> Text,
        unit_id -> Text,
        commitment -> Text,
        capacity -> Nullable<Integer>,
        starts_on -> Date,
        ends_on -> Date,
        status -> Text,
        claimed_by -> Text,
        claimed_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(units -> regions (region_id));
diesel::joinable!(unit_pairings -> units (unit_id));
diesel::joinable!(unit_pairings -> regions (community_id));
diesel::joinable!(service_projects -> service_categories (category_id));
diesel::joinable!(service_projects -> regions (region_id));
diesel::joinable!(project_claims -> service_projects (project_id));
diesel::joinable!(project_claims -> units (unit_id));

diesel::table! {
    menu_items (id) {
        id -> Text,
        community_id -> Text,
        provider_type -> Text,
        provider_id -> Text,
        provider_name -> Text,
        category_id -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        place -> Nullable<Text>,
        schedule -> Nullable<Text>,
        monthly_capacity -> Nullable<Integer>,
        status -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_orders (id) {
        id -> Text,
        community_id -> Text,
        resident_id -> Text,
        resident_name -> Text,
        // `contact_phone` (clear) is left out: the start-up step `phones::seal_at_rest` empties it.
        contact_phone_sealed -> Nullable<Text>,
        contact_phone_index -> Nullable<Text>,
        contact_phone_masked -> Nullable<Text>,
        address -> Nullable<Text>,
        menu_item_id -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        status -> Text,
        provider_type -> Nullable<Text>,
        provider_id -> Nullable<Text>,
        provider_name -> Nullable<Text>,
        dispatched_at -> Nullable<Timestamp>,
        accept_due_at -> Nullable<Timestamp>,
        accepted_at -> Nullable<Timestamp>,
        complete_due_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        minutes -> Nullable<Integer>,
        evidence -> Text,
        rating -> Nullable<Integer>,
        comment -> Nullable<Text>,
        rated_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    order_events (id) {
        id -> Text,
        order_id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_name -> Nullable<Text>,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
    }
}

diesel::joinable!(menu_items -> regions (community_id));
diesel::joinable!(service_orders -> regions (community_id));
diesel::joinable!(order_events -> service_orders (order_id));

diesel::table! {
    wishes (id) {
        id -> Text,
        community_id -> Text,
        resident_id -> Text,
        resident_name -> Text,
        title -> Text,
        description -> Nullable<Text>,
        status -> Text,
        decision_note -> Nullable<Text>,
        adopter_type -> Nullable<Text>,
        adopter_id -> Nullable<Text>,
        adopter_name -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        adopted_at -> Nullable<Timestamp>,
        fulfilled_at -> Nullable<Timestamp>,
        evidence -> Text,
        minutes -> Nullable<Integer>,
        thanks -> Nullable<Text>,
        thanked_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(wishes -> regions (community_id));

diesel::table! {
    agreements (id) {
        id -> Text,
        unit_id -> Text,
        region_id -> Text,
        kind -> Text,
        title -> Text,
        starts_on -> Date,
        ends_on -> Date,
        signed_on -> Nullable<Date>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agreement_commitments (id) {
        id -> Text,
        agreement_id -> Text,
        description -> Text,
        category_id -> Nullable<Text>,
        target_orders -> Nullable<Integer>,
        target_minutes -> Nullable<Integer>,
        sort -> Integer,
    }
}

diesel::table! {
    agreement_documents (id) {
        id -> Text,
        agreement_id -> Text,
        filename -> Text,
        content_type -> Text,
        size -> Integer,
        sha256 -> Text,
        content -> Binary,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::joinable!(agreements -> units (unit_id));
diesel::joinable!(agreements -> regions (region_id));
diesel::joinable!(agreement_commitments -> agreements (agreement_id));
diesel::joinable!(agreement_documents -> agreements (agreement_id));

diesel::table! {
    concern_routes (street_id, category) {
        street_id -> Text,
        category -> Text,
        handler_type -> Text,
        handler_id -> Nullable<Text>,
        handler_name -> Text,
        accept_hours -> Integer,
        resolve_hours -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    concerns (id) {
        id -> Text,
        community_id -> Text,
        grid_id -> Nullable<Text>,
        household_id -> Nullable<Text>,
        visit_id -> Nullable<Text>,
        lng -> Nullable<Double>,
        lat -> Nullable<Double>,
        address -> Nullable<Text>,
        category -> Text,
        urgency -> Text,
        title -> Text,
        description -> Text,
        reporter_id -> Text,
        reporter_name -> Text,
        // The sealed contact phone and its blind index are in `concern_phones` (this table is at
        // diesel's 32-column limit); the clear `contact_phone` is left out (see `phones`).
        contact_phone_masked -> Nullable<Text>,
        channel -> Text,
        status -> Text,
        handler_id -> Nullable<Text>,
        handler_name -> Text,
        accept_due_at -> Timestamp,
        resolve_due_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        resolution -> Nullable<Text>,
        reopen_count -> Integer,
        feedback_count -> Integer,
        warned_at -> Nullable<Timestamp>,
        escalated_at -> Nullable<Timestamp>,
        repeat_of_id -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    concern_events (id) {
        id -> Text,
        concern_id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_name -> Nullable<Text>,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    concern_photos (id) {
        id -> Text,
        concern_id -> Text,
        content_type -> Text,
        size -> Integer,
        sha256 -> Text,
        content -> Nullable<Binary>,
        url -> Nullable<Text>,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::joinable!(concerns -> regions (community_id));
diesel::joinable!(concern_events -> concerns (concern_id));
diesel::joinable!(concern_photos -> concerns (concern_id));

diesel::table! {
    polls (id) {
        id -> Text,
        community_id -> Text,
        title -> Text,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        rectification_days -> Integer,
        ballots -> Integer,
        created_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        electorate -> Text,
        electorate_size -> Nullable<Integer>,
    }
}

diesel::table! {
    poll_electors (poll_id, user_id) {
        poll_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    poll_cadres (id) {
        id -> Text,
        poll_id -> Text,
        name -> Text,
        position -> Text,
        sort -> Integer,
        satisfied -> Integer,
        basically_satisfied -> Integer,
        dissatisfied -> Integer,
    }
}

diesel::table! {
    poll_ballots (poll_id, voter_id) {
        poll_id -> Text,
        voter_id -> Text,
    }
}

diesel::table! {
    rectifications (id) {
        id -> Text,
        poll_id -> Text,
        cadre_id -> Text,
        cadre_name -> Text,
        satisfaction_rate -> Double,
        due_on -> Date,
        plan -> Nullable<Text>,
        report -> Nullable<Text>,
        status -> Text,
        completed_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(polls -> regions (community_id));
diesel::joinable!(poll_cadres -> polls (poll_id));
diesel::joinable!(rectifications -> polls (poll_id));

diesel::table! {
    assessments (id) {
        id -> Text,
        community_id -> Text,
        year -> Integer,
        entered -> Text,
        computed -> Nullable<Text>,
        status -> Text,
        finalized_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(assessments -> regions (community_id));

diesel::table! {
    stat_snapshots (scope_key, period_from, as_of) {
        scope_key -> Text,
        period_from -> Date,
        as_of -> Date,
        figures -> Text,
        created_at -> Timestamp,
    }
}

// 2026-12-07-000017_sealed_phones: the phone columns above, and `audit_events.subject_id`.
diesel::table! {
    /// The `concerns` table's sealed contact phone and its blind index, declared apart because
    /// `concerns` is at diesel's 32-column limit (the `32-column-tables` feature).
    #[sql_name = "concerns"]
    concern_phones (id) {
        id -> Text,
        contact_phone_sealed -> Nullable<Text>,
        contact_phone_index -> Nullable<Text>,
    }
}

// `concern_phones` is looked up in a subquery of concern lists (joined to their regions).
diesel::allow_tables_to_appear_in_same_query!(concern_phones, concerns);
diesel::allow_tables_to_appear_in_same_query!(concern_phones, regions);
