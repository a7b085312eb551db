package dev.strand;

/**
 * Thrown when starting a task or opening a view would pass one of Strand's limits. Its message names the
 * property that sets the limit; a web request that meets it is answered with {@code 429 Too Many Requests}.
 */
public class StrandLimitException extends RuntimeException {

	public StrandLimitException(String message) {
		super(message);
	}

}
