package dev.strand.cluster;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.RedisStreamCommands.XAddOptions;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import dev.strand.internal.EventLog;
import dev.strand.internal.MemoryEventLog;

/**
 * Copies the events of this server's tabs to Redis Streams ({@code strand:log:<tab>}), in order, so that
 * another server can serve a tab's stream. An event keeps its id (the entry id is {@code <id>-0}), and a copy
 * keeps no event that its tab's own log has let go. A tab's copies are sent on its mailbox, in the order it
 * appends them, and Redis refuses an entry whose id is not above the last one's, so they cannot be reordered. A
 * copy that fails, or that is not attempted because too many are still on their way (Redis is slow or down),
 * leaves a gap, which a reader sees and answers by ending its stream, so that the browser resynchronises: never a
 * silent one.
 */
final class LogCopies {

	private static final Log logger = LogFactory.getLog(LogCopies.class);

	/** How long a closed tab's copy stays, for the readers still to read its close event. */
	static final Duration CLOSED_TTL = Duration.ofMinutes(1);

	/** How long an open tab's copy lives without a refresh. */
	static final Duration OPEN_TTL = Duration.ofMinutes(10);

	private final ReactiveStringRedisTemplate redis;

	/** The most copies on their way to Redis at once; past it, copies are dropped rather than queued. */
	static final int MAX_IN_FLIGHT = 10_000;

	private final AtomicInteger inFlight = new AtomicInteger();


	LogCopies(ReactiveStringRedisTemplate redis) {
		this.redis = redis;
	}

	static String key(String tab) {
		return RedisCluster.PREFIX + "log:" + tab;
	}

	/**
	 * Return the copier for one tab's log.
	 * @param tab the tab's id
	 * @return the copier
	 */
	MemoryEventLog.Copier copier(String tab) {
		return (entry, coalescingKey, oldestId) -> write(new Copy(tab, entry, coalescingKey, oldestId));
	}

	private void write(Copy copy) {
		if (this.inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
			this.inFlight.decrementAndGet();
			// a stream served from this copy finds the gap, and gets a reset from the tab's home
			logger.debug("Strand did not copy event " + copy.entry().id() + " of a tab to Redis: " + MAX_IN_FLIGHT
					+ " copies are in flight");
			return;
		}
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("e", copy.entry().name());
		fields.put("d", copy.entry().data());
		if (copy.coalescingKey() != null) {
			fields.put("k", copy.coalescingKey());
		}
		String key = key(copy.tab());
		var added = this.redis.opsForStream()
			.add(MapRecord.create(key, fields).withId(RecordId.of(copy.entry().id(), 0)),
					XAddOptions.none().minId(RecordId.of(copy.oldestId(), 0)).approximateTrimming(true));
		var written = (copy.entry().id() == 1) ? added.then(this.redis.expire(key, OPEN_TTL))
				: "close".equals(copy.entry().name()) ? added.then(this.redis.expire(key, CLOSED_TTL)) : added;
		written.doFinally((signal) -> this.inFlight.decrementAndGet()).subscribe(null, (ex) -> {
			logger.debug("Strand could not copy event " + copy.entry().id() + " of a tab to Redis", ex);
		});
	}

	private record Copy(String tab, EventLog.Entry entry, @Nullable String coalescingKey, long oldestId) {
	}

}
