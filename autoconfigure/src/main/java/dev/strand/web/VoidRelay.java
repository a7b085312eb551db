package dev.strand.web;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.util.context.Context;

/**
 * Subscribes to a publisher on behalf of the subscriber of a {@code Mono<Void>}, to which it passes on when and
 * how the publisher ends; that subscriber's context, requests and cancel go the other way.
 *
 * @param <T> what the publisher gives
 */
abstract class VoidRelay<T> implements CoreSubscriber<T>, Subscription {

	/** The {@code Mono<Void>}'s subscriber. */
	protected final CoreSubscriber<? super Void> actual;

	private @Nullable Subscription upstream;

	VoidRelay(CoreSubscriber<? super Void> actual) {
		this.actual = actual;
	}

	@Override
	public Context currentContext() {
		return this.actual.currentContext();
	}

	@Override
	public void onSubscribe(Subscription subscription) {
		this.upstream = subscription;
		this.actual.onSubscribe(this);
	}

	@Override
	public void request(long n) {
		Subscription subscription = this.upstream;
		if (subscription != null) {
			subscription.request(n);
		}
	}

	@Override
	public void cancel() {
		Subscription subscription = this.upstream;
		if (subscription != null) {
			subscription.cancel();
		}
	}

}
