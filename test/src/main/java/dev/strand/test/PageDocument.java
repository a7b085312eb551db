package dev.strand.test;

import java.util.ArrayList;
import java.util.List;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.parser.Parser;
import org.jspecify.annotations.Nullable;

/**
 * A page's HTML, patched as strand.js patches the DOM in a browser: one method per wire event that changes the
 * page, each doing what strand.js's handler for it does. Not thread-safe: its {@link TestTab} guards it.
 */
final class PageDocument {

	private final Document document;

	/** Patches whose target was not on the page: strand.js skips them too (and logs them at debug level). */
	private final List<String> missedTargets = new ArrayList<>();

	PageDocument(String html) {
		this.document = Jsoup.parse(html);
	}

	Document document() {
		return this.document;
	}

	List<String> missedTargets() {
		return this.missedTargets;
	}

	/** A {@code patch} event, or one of a {@code reset}'s patches. */
	void patch(String target, String op, @Nullable String html) {
		Element element = this.document.getElementById(target);
		if (element == null) {
			this.missedTargets.add(target);
			return;
		}
		switch (op) {
			case "replace", "morph" -> {
				Element parent = element.parent();
				int index = element.siblingIndex();
				List<Node> nodes = parse(html, (parent != null) ? parent : element);
				element.remove();
				if (parent != null) {
					parent.insertChildren(index, nodes);
				}
			}
			case "append" -> element.insertChildren(-1, parse(html, element));
			case "prepend" -> element.insertChildren(0, parse(html, element));
			case "remove" -> element.remove();
			default -> throw new IllegalStateException("A patch for '" + target + "' has the op '" + op
					+ "', which this test client does not know; is strand-spring-boot-test the same version as Strand?");
		}
	}

	/** A {@code chunk} event: appended to every stream container of its task, as text unless it was rendered. */
	void chunk(String task, String text, @Nullable String html) {
		for (Element container : this.document.select("[data-strand-stream]")) {
			if (!task.equals(container.attr("data-strand-stream"))) {
				continue;
			}
			if (html != null) {
				container.insertChildren(-1, parse(html, container));
			}
			else {
				container.appendElement("div").addClass("strand-chunk").text(text);
			}
		}
	}

	/** A {@code progress} event: every progress bar of its task, determinate when the total is known. */
	void progress(String task, long done, long total) {
		for (Element bar : this.document.select("progress[data-strand-progress]")) {
			if (!task.equals(bar.attr("data-strand-progress"))) {
				continue;
			}
			if (total > 0) {
				bar.attr("max", Long.toString(total));
				bar.attr("value", Long.toString(done));
				bar.attr("aria-valuetext", done + " of " + total);
			}
			else {
				bar.removeAttr("value");
				bar.removeAttr("aria-valuetext");
			}
		}
	}

	/** A {@code flash} event: in every flash region, the message replaces the one of its kind, or is added. */
	void flash(String kind, @Nullable String message) {
		if (message == null) { // the kind was cleared: strand.js removes its message from every region
			for (Element box : this.document.select("[data-strand-flash] > .strand-flash")) {
				if (kind.equals(box.attr("data-kind"))) {
					box.remove();
				}
			}
			return;
		}
		for (Element region : this.document.select("[data-strand-flash]")) {
			Element box = new Element("div").addClass("strand-flash")
				.addClass("strand-flash-" + kind.replaceAll("[^\\w-]", "-"))
				.attr("data-kind", kind)
				.attr("role", "status");
			box.appendElement("span").addClass("strand-flash-text").text(message);
			box.appendText(" ");
			box.appendElement("button").attr("type", "button").addClass("strand-flash-close").attr("aria-label", "Dismiss")
				.text("\u00d7");
			List<Element> same = region.children().stream().filter((child) -> kind.equals(child.attr("data-kind"))).toList();
			if (same.isEmpty()) {
				region.appendChild(box);
			}
			else {
				same.get(0).replaceWith(box);
				same.subList(1, same.size()).forEach(Element::remove);
			}
		}
	}

	private List<Node> parse(@Nullable String html, Element context) {
		return Parser.parseFragment((html != null) ? html : "", context, this.document.location());
	}

}
