package dev.strand.demo;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.stereotype.Component;

import dev.strand.TaskFailedException;

/**
 * A pretend remote service with configurable latency and failure rate, standing in for the database or
 * HTTP calls that {@code assignAsync} would make in a real application.
 */
@Component
class Directory {

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

	Org organization(Latency latency) throws InterruptedException {
		call(latency, "organization");
		return new Org("Acme Corporation", "acme", "Team plan", 42, now());
	}

	Profile profile(Latency latency) throws InterruptedException {
		call(latency, "profile");
		return new Profile("Ada Lovelace", "Analyst", now());
	}

	Rank rank(Latency latency) throws InterruptedException {
		call(latency, "rank");
		int position = ThreadLocalRandom.current().nextInt(1, 43);
		return new Rank(position, 42, now());
	}

	private static void call(Latency latency, String what) throws InterruptedException {
		Thread.sleep(latency.millis());
		if (ThreadLocalRandom.current().nextInt(100) < latency.failureRate()) {
			throw TaskFailedException.of("the " + what + " service is unavailable");
		}
	}

	private static String now() {
		return LocalTime.now().format(TIME);
	}

	/**
	 * How a pretend call behaves.
	 *
	 * @param millis how long it takes
	 * @param failureRate the chance that it fails, in percent
	 */
	record Latency(int millis, int failureRate) {

		Latency {
			millis = Math.clamp(millis, 0, 30_000);
			failureRate = Math.clamp(failureRate, 0, 100);
		}

	}

	/**
	 * An organization.
	 *
	 * @param name its name
	 * @param slug its slug
	 * @param plan its plan
	 * @param members how many members it has
	 * @param fetchedAt when it was fetched
	 */
	record Org(String name, String slug, String plan, int members, String fetchedAt) {
	}

	/**
	 * The signed-in user's profile.
	 *
	 * @param name the name
	 * @param title the job title
	 * @param fetchedAt when it was fetched
	 */
	record Profile(String name, String title, String fetchedAt) {
	}

	/**
	 * The user's rank among the organization's members.
	 *
	 * @param position the position
	 * @param of out of how many
	 * @param fetchedAt when it was fetched
	 */
	record Rank(int position, int of, String fetchedAt) {
	}

}
