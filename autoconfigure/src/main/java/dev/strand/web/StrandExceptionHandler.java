package dev.strand.web;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

import dev.strand.StrandLimitException;

/**
 * Maps the engine's errors to HTTP for the controllers that take a {@code View}: a
 * {@link StrandLimitException} becomes {@code 429 Too Many Requests}, with its message as an RFC 9457
 * problem detail; a page event for a tab the session had, and that has closed, {@code 410 Gone}; and one
 * for any other id, unknown or another session's, the same empty {@code 404}. An advice, not a
 * {@code WebExceptionHandler}: that would cost every open stream a few hundred bytes for as long as it
 * stays open.
 */
@ControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class StrandExceptionHandler {

	@ExceptionHandler(StrandLimitException.class)
	ResponseEntity<ProblemDetail> limit(StrandLimitException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, ex.getMessage());
		return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).body(problem);
	}

	@ExceptionHandler(TabGoneException.class)
	ResponseEntity<ProblemDetail> gone() {
		return ResponseEntity.status(HttpStatus.GONE).body(ProblemDetail.forStatusAndDetail(HttpStatus.GONE,
				"This page's view has closed; reload the page"));
	}

	@ExceptionHandler(TabNotFoundException.class)
	ResponseEntity<Void> notFound() {
		return ResponseEntity.notFound().build();
	}

	/** A page event names a tab that its session had, and that has closed. */
	static final class TabGoneException extends RuntimeException {

		TabGoneException() {
			super("The page's view has closed", null, false, false);
		}

	}

	/** A page event names a tab that its session does not have. */
	static final class TabNotFoundException extends RuntimeException {

		TabNotFoundException() {
			super("No such view", null, false, false);
		}

	}

}
