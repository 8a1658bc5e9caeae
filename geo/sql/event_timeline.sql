SELECT l.id, l.at, l.actor, l.actor_role, l.from_status, l.to_status, l.level, l.note
  FROM event_log l
 WHERE l.event_id = %(id)s
 ORDER BY l.at, l.id
