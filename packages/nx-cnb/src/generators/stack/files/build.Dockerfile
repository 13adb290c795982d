# CNB build image for a Debian stack.
# The cnb user, io.buildpacks.* labels and CNB_* env are added by a later step
# (as `jam create-stack` does), so none of that belongs here.
ARG base_image
FROM ${base_image}

# Space separated Debian package names.
ARG packages

# upgrade: the base image is imported once and cached, so pick up point and
# security updates at stack build time.
# safe.directory: platforms on Kubernetes mount the app source owned by
# another user than cnb, and git refuses to read such a repository without it.
RUN set -eux; \
    export DEBIAN_FRONTEND=noninteractive; \
    apt-get update; \
    apt-get -y upgrade; \
    apt-get -y install --no-install-recommends ${packages}; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /tmp/* /var/tmp/*; \
    if command -v git >/dev/null; then \
      for dir in /workspace /workspace/source-ws /workspace/source; do \
        git config --system --add safe.directory "${dir}"; \
      done; \
    fi
