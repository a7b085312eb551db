package dev.strand;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a controller method that receives each chunk the task with this name pushes, in order, on the
 * tab's mailbox. Its parameters are the chunk (any type the task pushes) and, optionally, the
 * {@link View} and a {@link TaskName @TaskName} {@code String}; it returns {@code void}. The chunk is then sent
 * to the page as well, unless {@link #send()} is {@code false}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface HandleChunk {

	/**
	 * The task's name, or a prefix pattern ending in {@code *}, as for {@link HandleAsync#value()}.
	 * @return the task's name or pattern
	 */
	String value();

	/**
	 * Whether the chunk is also sent to the page after the method has taken it: to the task's
	 * {@code strand:stream} containers and the {@code strand:chunk} DOM event. Set it to {@code false} when the
	 * method folds the chunk into the tab's assigns and the page shows it only through the elements that watch
	 * them: each chunk then costs the page one patch instead of a patch and the chunk. A chunk not sent is still
	 * held back, like one sent, while the page lags.
	 * @return whether the page gets the chunk too; {@code true} by default
	 */
	boolean send() default true;

}
