"""The web pages in a real browser: Debian's chromium driven by chromium-driver through Selenium.

A real `lenscale serve` (the built binary, a temporary data folder, a policy written here that
flags the ImageNet class of ../shared/images/grace_hopper.jpg) and keys made with `lenscale keys
create`. The flow: sign in; upload a photo and see its labels; upload the flagged photo and see
it sent to review; approve it on the review page with the A key; check through the API that the
decision is persisted and audited. A screenshot per step goes to bench/out/browser/ (or
$LENSCALE_BROWSER_ARTIFACTS).

Needs: `swift build` (or $LENSCALE_BIN), and `tools/setup.sh` (apt: chromium chromium-driver;
pip: selenium). No browser is ever downloaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("LENSCALE_SHARED", os.path.join(os.path.dirname(REPO), "shared"))
IMAGES = os.path.join(SHARED, "images")
ARTIFACTS = os.environ.get("LENSCALE_BROWSER_ARTIFACTS", os.path.join(REPO, "bench", "out", "browser"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")

# grace_hopper.jpg is a portrait in uniform: EfficientNet gives "military uniform" a share, and
# NudeNet finds her face (a box for the review page to draw). Low thresholds send it through the
# heavy stage to review; nothing in the repo is an unsafe image.
POLICY = """\
version: 1
sample_rate: 0
categories:
  test_flag:
    imagenet_classes: [military uniform]
    escalate_at: 0.05
    review_at: 0.05
    block_at: 0.999
"""


def lenscale_binary() -> str:
    for candidate in (os.environ.get("LENSCALE_BIN"), os.path.join(REPO, ".build", "debug", "lenscale"),
                      os.path.join(REPO, ".build", "release", "lenscale")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("no lenscale binary: run `swift build` (or set LENSCALE_BIN)")


def photo(name: str) -> str:
    path = os.path.join(IMAGES, name)
    if not os.path.isfile(path):
        pytest.fail(f"{path} is missing: the browser test needs ../shared/images (set LENSCALE_SHARED)")
    return path


class Server:
    def __init__(self, url: str, keys: dict[str, str], process: subprocess.Popen, log: str):
        self.url, self.keys, self.process, self.log = url, keys, process, log

    def api(self, path: str, key: str, method: str = "GET", body: bytes | None = None, content_type: str | None = None):
        request = urllib.request.Request(self.url + path, data=body, method=method)
        request.add_header("Authorization", "Bearer " + self.keys[key])
        if content_type:
            request.add_header("Content-Type", content_type)
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())


@pytest.fixture(scope="module")
def server():
    binary = lenscale_binary()
    data = tempfile.mkdtemp(prefix="lenscale-web-")
    policy = os.path.join(data, "policy.yaml")
    with open(policy, "w") as f:
        f.write(POLICY)
    env = dict(os.environ, LENSCALE_MODERATION_POLICY=policy)

    def key(name: str, *scopes: str) -> str:
        args = [binary, "keys", "create", "--data", data, "--name", name] + [a for s in scopes for a in ("--scope", s)]
        done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    keys = {"uploader": key("uploader", "classify", "read", "ingest"), "moderator": key("moderator", "review")}
    log_path = os.path.join(data, "serve.log")
    log = open(log_path, "w")
    process = subprocess.Popen([binary, "serve", "--data", data, "--host", "127.0.0.1", "--port", "0", "--threads", "2"],
                               stdout=subprocess.PIPE, stderr=log, text=True, env=env, cwd=REPO)
    url = None
    deadline = time.time() + 180
    while time.time() < deadline and url is None:
        line = process.stdout.readline()
        if not line:
            break
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            url = match.group(1)
    if url is None:
        process.kill()
        log.close()
        pytest.fail("lenscale serve did not start:\n" + open(log_path).read()[-4000:])
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        time.sleep(0.2)
    else:
        pytest.fail("lenscale serve never became ready")
    yield Server(url, keys, process, log_path)
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is missing: install Debian's chromium and chromium-driver (tools/setup.sh)")
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    os.makedirs(ARTIFACTS, exist_ok=True)
    yield driver
    driver.quit()


def shot(driver, name: str) -> None:
    driver.save_screenshot(os.path.join(ARTIFACTS, name + ".png"))


def sign_in(driver, wait, url: str, key: str, name: str) -> None:
    driver.get(url)
    wait.until(EC.visibility_of_element_located((By.ID, "key"))).send_keys(key)
    driver.find_element(By.ID, "signin-button").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "who-name"), name))


def test_upload_review_and_audit(server, browser):
    wait = WebDriverWait(browser, 90)
    flagged = photo("grace_hopper.jpg")
    flagged_sha = hashlib.sha256(open(flagged, "rb").read()).hexdigest()

    # 1. Sign in on the upload page; a wrong key is refused first.
    browser.get(server.url + "/")
    wait.until(EC.visibility_of_element_located((By.ID, "key"))).send_keys("not-a-key")
    browser.find_element(By.ID, "signin-button").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "signin-error"), "Sign-in failed"))
    shot(browser, "01-signin-refused")
    browser.find_element(By.ID, "key").clear()
    sign_in(browser, wait, server.url + "/", server.keys["uploader"], "uploader")
    shot(browser, "02-signed-in")

    # 2. Upload a harmless photo: its labels and an allow.
    browser.find_element(By.ID, "files").send_keys(photo("castle-maintenon.jpg"))
    castle = '.result[data-name="castle-maintenon.jpg"]'
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, castle + " li.label")))
    labels = [e.text for e in browser.find_elements(By.CSS_SELECTOR, castle + " li.label")]
    assert len(labels) == 5 and any("castle" in label or "palace" in label for label in labels), labels
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, castle + ' .badge[data-outcome="allow"]')))
    shot(browser, "03-labels")

    # 3. Upload the flagged photo: uncertain online, the heavy stage sends it to review.
    browser.find_element(By.ID, "files").send_keys(flagged)
    card = '.result[data-name="grace_hopper.jpg"]'
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, card + '[data-final="true"] .badge[data-outcome="review"]')))
    assert "test_flag" in browser.find_element(By.CSS_SELECTOR, card + " .moderation").text
    # One card per upload: choosing another file does not resend the earlier one.
    assert len(browser.find_elements(By.CSS_SELECTOR, ".result")) == 2
    shot(browser, "04-sent-to-review")
    pending = server.api("/v1/review", "moderator")
    items = [item for item in pending["items"] if item["sha256"] == flagged_sha]
    assert len(items) == 1 and items[0]["category"] == "test_flag" and items[0]["state"] == "pending", pending
    item_id = items[0]["id"]

    # 4. The moderator's page claims it, draws it with its scores, and A approves it.
    browser.execute_script("sessionStorage.clear()")
    sign_in(browser, wait, server.url + "/review", server.keys["moderator"], "moderator")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, f'#current[data-item="{item_id}"]')))
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, f'#canvas[data-loaded="{flagged_sha}"]')))
    assert browser.find_element(By.ID, "pending").text == "0"  # claimed by this page, nothing else waits
    assert browser.find_element(By.CSS_SELECTOR, 'tr.score[data-category="test_flag"]').is_displayed()
    canvas_width = browser.execute_script("return document.getElementById('canvas').width")
    assert canvas_width > 100
    # The detector's boxes are listed and drawn over the image (her face).
    assert int(browser.find_element(By.ID, "canvas").get_attribute("data-boxes")) >= 1
    assert "FACE_FEMALE" in browser.find_element(By.ID, "boxes").text
    shot(browser, "05-review-page")
    browser.find_element(By.TAG_NAME, "body").send_keys("a")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, f'#decision-status[data-item="{item_id}"][data-state="approved"]')))
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, f'tr.audit-entry[data-event="moderation.reviewed"][data-sha256="{flagged_sha}"]')))
    wait.until(EC.visibility_of_element_located((By.ID, "empty")))
    shot(browser, "06-approved-and-audited")

    # 5. Persisted: the item, the audit log and the decision served on the next upload.
    item = server.api(f"/v1/review/{item_id}", "moderator")
    assert item["state"] == "approved" and "moderator" in item["reviewer"], item
    audit = server.api(f"/v1/audit?sha256={flagged_sha}", "moderator")["entries"]
    assert [e["event"] for e in audit][-2:] == ["moderation.review_requested", "moderation.reviewed"], audit
    assert "moderator" in audit[-1]["actor"] and audit[-1]["outcome"] == "allow"
    again = server.api("/v1/classify?moderate=true", "uploader", method="POST", body=open(flagged, "rb").read(),
                       content_type="image/jpeg")
    assert again["moderation"]["outcome"] == "allow" and again["moderation"]["stage"] == "human", again
