# A distroless-style CNB run image (the "tiny" and "static" variants): no
# shell, no package manager. Assembled like Paketo's ubuntu-noble tiny and
# static images: the listed packages, and only those (no dependency
# resolution), are unpacked with dpkg-deb into /rootfs, which becomes the
# whole image. The variant is chosen by the package list in stack.toml.
# nx-cnb adds the cnb user (to /etc/passwd and /etc/group), labels and env.
ARG base_image
# The root filesystem is put together on the engine's own platform, without
# emulation, from packages of the target platform's architecture: a FROM
# scratch image runs nothing while it is built.
FROM --platform=$BUILDPLATFORM ${base_image} AS rootfs
ARG TARGETARCH

# Space separated Debian package names; list every dependency explicitly.
ARG packages

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Download the target architecture's packages ("Architecture: all" ones too) as
# the _apt user (apt refuses to sandbox otherwise).
RUN set -eux; \
    test -n "${packages}" || { echo "build arg 'packages' is required" >&2; exit 1; }; \
    target_arch=(-o "APT::Architecture=${TARGETARCH}" -o "APT::Architectures::=${TARGETARCH}"); \
    apt-get "${target_arch[@]}" update; \
    install -d -o _apt /debs; \
    cd /debs; \
    apt-get "${target_arch[@]}" download ${packages}; \
    rm -rf /var/lib/apt/lists/*

# dpkg -i would pull dependencies and run maintainer scripts (which need a
# shell), so unpack instead. Distroless keeps one dpkg status file per package
# in /var/lib/dpkg/status.d/ so vulnerability scanners still see packages, and
# dpkg's list of the files each package owns in /var/lib/dpkg/info/<pkg>.list.
RUN set -eux; \
    mkdir -p /rootfs/var/lib/dpkg/status.d /rootfs/var/lib/dpkg/info; \
    for pkg in ${packages}; do \
      debs=(/debs/"${pkg}"_*.deb); \
      if [ "${#debs[@]}" -ne 1 ] || [ ! -f "${debs[0]}" ]; then \
        echo "expected exactly one .deb for ${pkg}, found: ${debs[*]}" >&2; exit 1; \
      fi; \
      dpkg-deb --extract "${debs[0]}" /rootfs; \
      dpkg-deb --fsys-tarfile "${debs[0]}" | tar -t \
        | sed -e 's#^\./#/#' -e 's#/$##' -e '1s#^$#/.#' \
        > "/rootfs/var/lib/dpkg/info/${pkg}.list"; \
      dpkg-deb --field "${debs[0]}" \
        | sed '/^Package:/a Status: install ok installed' \
        > "/rootfs/var/lib/dpkg/status.d/${pkg}"; \
      rm -rf /tmp/control; \
      dpkg-deb --control "${debs[0]}" /tmp/control; \
      if [ -f /tmp/control/md5sums ]; then \
        cp /tmp/control/md5sums "/rootfs/var/lib/dpkg/status.d/${pkg}.md5sums"; \
      fi; \
    done; \
    rm -rf /tmp/control /debs

# ca-certificates builds /etc/ssl/certs (bundle, per-cert and hash links) in
# its postinst, which never runs here: run the same tool against /rootfs and
# make its absolute /rootfs/... link targets valid inside the image.
RUN set -eux; \
    if [ -d /rootfs/usr/share/ca-certificates ]; then \
      mkdir -p /rootfs/etc/ssl/certs; \
      (cd /rootfs/usr/share/ca-certificates && find . -type f -name '*.crt' -printf '%P\n' | sort) \
        > /rootfs/etc/ca-certificates.conf; \
      update-ca-certificates --fresh \
        --certsconf /rootfs/etc/ca-certificates.conf \
        --certsdir /rootfs/usr/share/ca-certificates \
        --localcertsdir /rootfs/usr/local/share/ca-certificates \
        --etccertsdir /rootfs/etc/ssl/certs \
        --hooksdir /rootfs/etc/ca-certificates/update.d; \
      find /rootfs/etc/ssl/certs -type l -lname '/rootfs/*' | while read -r link; do \
        target="$(readlink "${link}")"; \
        ln -sfn "${target#/rootfs}" "${link}"; \
      done; \
      test -s /rootfs/etc/ssl/certs/ca-certificates.crt; \
    fi

# Minimal users (root, nobody), name service config, world-writable /tmp.
RUN set -eux; \
    printf '%s\n' \
      'root:x:0:0:root:/root:/sbin/nologin' \
      'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
      > /rootfs/etc/passwd; \
    printf '%s\n' \
      'root:x:0:' \
      'nogroup:x:65534:' \
      > /rootfs/etc/group; \
    printf '%s\n' \
      'passwd:         files' \
      'group:          files' \
      'shadow:         files' \
      'hosts:          files dns' \
      'networks:       files' \
      'protocols:      files' \
      'services:       files' \
      'ethers:         files' \
      'rpc:            files' \
      > /rootfs/etc/nsswitch.conf; \
    chmod 0644 /rootfs/etc/passwd /rootfs/etc/group /rootfs/etc/nsswitch.conf; \
    install -d -m 0700 /rootfs/root; \
    install -d -m 1777 /rootfs/tmp

# Slim down: keep only copyright files of the docs. Then merge /bin, /sbin,
# /lib, /lib64 into /usr (bookworm's default layout, same as the build image)
# since dpkg-deb unpacks packages with their legacy paths.
RUN set -eux; \
    if [ -d /rootfs/usr/share/doc ]; then \
      find /rootfs/usr/share/doc -mindepth 2 ! -type d ! -name copyright -delete; \
      find /rootfs/usr/share/doc -mindepth 2 -type d -empty -delete; \
    fi; \
    rm -rf /rootfs/usr/share/man /rootfs/usr/share/info /rootfs/usr/share/lintian \
      /rootfs/etc/update-motd.d /rootfs/var/lib/dpkg/status; \
    for dir in bin sbin lib lib64; do \
      mkdir -p "/rootfs/usr/${dir}"; \
      if [ -d "/rootfs/${dir}" ] && [ ! -L "/rootfs/${dir}" ]; then \
        cp -a "/rootfs/${dir}/." "/rootfs/usr/${dir}/"; \
        rm -rf "/rootfs/${dir}"; \
      fi; \
      ln -sfn "usr/${dir}" "/rootfs/${dir}"; \
    done; \
    test -e /rootfs/etc/os-release

FROM scratch
COPY --from=rootfs /rootfs/ /
