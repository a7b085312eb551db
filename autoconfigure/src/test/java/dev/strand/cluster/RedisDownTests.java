package dev.strand.cluster;

import java.net.ConnectException;

import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;

import static org.assertj.core.api.Assertions.assertThat;

/** Tests for {@link RedisCluster#isRedisDown}: which failures are answered with 503 rather than 500. */
class RedisDownTests {

	@Test
	void whenRedisCannotBeReachedOrServeNowThenItCountsAsDown() {
		assertThat(RedisCluster.isRedisDown(new RedisException("Currently not connected. Commands are rejected."))).isTrue();
		assertThat(RedisCluster.isRedisDown(new RedisSystemException("wrapped",
				new RedisException("Connection closed")))).isTrue();
		assertThat(RedisCluster.isRedisDown(new RedisConnectionException("refused", new ConnectException()))).isTrue();
		assertThat(RedisCluster.isRedisDown(new RedisCommandTimeoutException("no answer in time"))).isTrue();
		assertThat(RedisCluster.isRedisDown(new RedisLoadingException("LOADING Redis is loading the dataset"))).isTrue();
		assertThat(RedisCluster.isRedisDown(new RedisBusyException("BUSY Redis is busy running a script"))).isTrue();
		assertThat(RedisCluster.isRedisDown(new RedisConnectionFailureException("down"))).isTrue();
	}

	@Test
	void whenACommandOrTheApplicationIsAtFaultThenItDoesNotCountAsDown() {
		assertThat(RedisCluster.isRedisDown(new RedisCommandExecutionException("WRONGTYPE Operation against a key"))).isFalse();
		// Lettuce wraps any failure of its callers, a codec's or a serializer's, in a RedisException with a cause
		assertThat(RedisCluster.isRedisDown(new RedisException(new IllegalArgumentException("bad value")))).isFalse();
		assertThat(RedisCluster.isRedisDown(new RedisSystemException("wrapped",
				new RedisCommandExecutionException("ERR unknown command")))).isFalse();
		assertThat(RedisCluster.isRedisDown(new IllegalStateException("a bug"))).isFalse();
	}

}
