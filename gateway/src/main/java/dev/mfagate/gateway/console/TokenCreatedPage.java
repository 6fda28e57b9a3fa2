package dev.mfagate.gateway.console;

/**
 * The one answer that shows a token's secret: the answer to creating it. Served with
 * {@code Cache-Control: no-store} like every console page; no other page shows the secret again.
 *
 * @param frame the frame
 * @param place the place that owns it (form value), for the link back
 * @param placeText the place, in words
 * @param id the token's public id
 * @param name its name
 * @param labels its label pattern
 * @param secret the token itself, shown this once
 */
public record TokenCreatedPage(PageFrame frame, String place, String placeText, String id, String name, String labels,
                               String secret) implements ConsolePage {

    @Override
    public String template() {
        return "token-created.jte";
    }

    @Override
    public String toString() {
        return "TokenCreatedPage[id=" + id + "]";
    }
}
