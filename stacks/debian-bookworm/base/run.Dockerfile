# CNB "base" run image for a Debian stack: a regular Debian userland plus the
# runtime packages. The cnb user, labels and env are added by a later step.
ARG base_image
FROM ${base_image}

# Space separated Debian package names.
ARG packages

RUN set -eux; \
    export DEBIAN_FRONTEND=noninteractive; \
    apt-get update; \
    apt-get -y upgrade; \
    apt-get -y install --no-install-recommends ${packages}; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /tmp/* /var/tmp/*
