# The commands `make demo` prints for a newcomer to try, in one place: tools/demo.sh prints
# them and Tests/ServingTests/DemoCommandTests.swift runs them verbatim against a live server.
# Source this file, set key, photo and port, then call demo_commands.
demo_commands() {
    cat <<TEXT
curl -s -H "Authorization: Bearer $key" --data-binary @$photo http://127.0.0.1:$port/v1/classify
curl -s -H "Authorization: Bearer $key" http://127.0.0.1:$port/v1/predictions/\$(sha256sum $photo | cut -c1-64)
TEXT
}
