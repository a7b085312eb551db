package dev.strand;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * Thrown when starting a task or opening a view would pass one of Strand's limits; answered with
 * {@code 429 Too Many Requests}.
 */
public class StrandLimitException extends ResponseStatusException {

	public StrandLimitException(String reason) {
		super(HttpStatus.TOO_MANY_REQUESTS, reason);
	}

}
