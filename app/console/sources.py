"""数据连接 (the admin's connectors and identity mappings) and 数据导入 (file uploads with the preset
builder, for HR and admins). Secrets are never shown back: a secret field left blank keeps the stored one."""

import re
import secrets
from pathlib import Path
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for

from app.api.limits import body_limit
from app.connectors import admin
from app.connectors.registry import KINDS
from app.console import bp, page
from app.console.posted import day
from app.domain.attribution import EMPLOYEE_NO, IDENTITIES
from app.domain.errors import DomainError
from app.domain.import_formats import FORMATS
from app.errors import ApiError
from app.extensions import db
from app.imports import presets, service
from app.imports.files import upload_folder
from app.models import Employee

UPLOAD_LIMIT = 200 * 1024 * 1024  # a year of a busy shop's shipments as CSV
TOKEN = re.compile(r"^[0-9a-f]{32}$")
SUFFIXES = (".csv", ".xlsx")


@bp.route("/admin/connectors")
@page("admin")
def admin_connectors() -> Any:
    """Each API connector: its state, last run and credentials (secrets masked), 同步 now."""
    return render_template("console/admin_connectors.html", rows=admin.status(admin_id=_me()), kinds=KINDS)


@bp.route("/admin/connectors/<source>", methods=["POST"])
@page("admin")
def admin_connector_save(source: str) -> Any:
    kind = KINDS.get(source)
    entered = {f.name: request.form.get(f.name, "").strip() for f in kind.fields} if kind else {}
    try:
        flash(admin.save_credentials(source, entered, admin_id=_me()), "ok")
    except DomainError as refusal:
        flash("未保存：" + refusal.message, "error")
    return redirect(url_for("console.admin_connectors"))


@bp.route("/admin/connectors/<source>/sync", methods=["POST"])
@page("admin")
def admin_connector_sync(source: str) -> Any:
    flash(admin.request_sync(source, admin_id=_me()), "ok")
    return redirect(url_for("console.admin_connectors"))


@bp.route("/admin/mappings", methods=["GET", "POST"])
@page("admin")
def admin_mappings() -> Any:
    """外部账号映射: whose each SKU, Zendesk agent or packer is from which day, and the records
    nobody's mapping covers yet (mapping one brings its kept records in)."""
    if request.method == "POST":
        try:
            number = request.form.get("employee_no", "").strip()
            employee_id = db.session.scalar(db.select(Employee.id).where(Employee.employee_no == number))
            if employee_id is None:
                raise ApiError("not_found", f"找不到工号为「{number}」的员工", 404)
            moved = admin.map_identity(request.form.get("identity", ""), request.form.get("external_id", ""),
                                       employee_id, day("valid_from", "生效日期"), admin_id=_me())
            flash(f"已保存映射；归入未映射记录 {moved} 条", "ok")
        except DomainError as refusal:
            flash("未保存：" + refusal.message, "error")
        return redirect(url_for("console.admin_mappings"))
    return render_template("console/admin_mappings.html", rows=admin.mappings(admin_id=_me()),
                           unmapped=admin.unmapped(admin_id=_me()), identities=IDENTITIES,
                           prefill=request.args.to_dict())


@bp.route("/imports")
@page("staff")
def imports_page() -> Any:
    """数据导入: upload a file, then pick a preset or build the mapping from it."""
    return render_template("console/imports.html", presets=presets.listing(actor_id=_me()), formats=FORMATS)


@bp.route("/imports/upload", methods=["POST"])
@body_limit(UPLOAD_LIMIT)
@page("staff")
def imports_upload() -> Any:
    """Keep the uploaded file under a random token while the mapping is chosen and previewed."""
    upload = request.files.get("file")
    suffix = Path(upload.filename or "").suffix.lower() if upload else ""
    if upload is None or suffix not in SUFFIXES:
        flash("请选择 CSV 或 XLSX 文件", "error")
        return redirect(url_for("console.imports_page"))
    token = secrets.token_hex(16)
    upload.save(upload_folder() / f"{token}{suffix}")
    return redirect(url_for("console.imports_file", token=token, preset=request.form.get("preset", "")))


@bp.route("/imports/<token>", methods=["GET", "POST"])
@page("staff")
def imports_file(token: str) -> Any:
    """The preset builder and the import: the file's columns, the first rows read with the mapping,
    then 导入 (all or nothing, row-numbered errors) or 保存为模板."""
    path = _uploaded(token)
    choice = _choice(request.form if request.method == "POST" else request.args)
    errors: list[str] = []
    if request.method == "POST" and request.form.get("action") in ("import", "save"):
        try:
            if request.form["action"] == "save":
                presets.save(request.form.get("name", ""), choice["format"], choice["identity"], choice["columns"],
                             actor_id=_me())
                flash(f"已保存导入模板「{request.form.get('name', '').strip()}」", "ok")
            else:
                run = service.import_file(path, format_code=choice["format"], identity=choice["identity"],
                                          columns=choice["columns"], uploader_id=_me())
                path.unlink(missing_ok=True)
                flash(f"已导入：{_counts(run.counts)}（导入记录 #{run.id}）", "ok")
                return redirect(url_for("console.imports_page"))
        except DomainError as refusal:
            errors = [refusal.message, *refusal.fields.get("errors", [])]  # type: ignore[list-item]
    sample = presets.sample(path, choice["format"], choice["identity"], choice["columns"], actor_id=_me())
    return render_template("console/imports_file.html", token=token, choice=choice, sample=sample, errors=errors,
                           format=FORMATS[choice["format"]], identities={EMPLOYEE_NO: "本系统工号", **IDENTITIES},
                           formats=FORMATS), 422 if errors else 200


COUNT_NAMES = {"joined": "入职", "inserted": "新增", "updated": "更新", "unchanged": "未变", "restated": "待人事处理",
               "unmapped": "未映射", "shipments": "发货记录", "shipments_updated": "更新发货记录",
               "unattributed_shipments": "打包员未映射的发货"}


def _counts(counts: dict[str, int]) -> str:
    return "，".join(f"{COUNT_NAMES.get(k, k)} {v} 条" for k, v in counts.items()) or "没有变化"


def _choice(form: Any) -> dict[str, Any]:
    """The format, identity and mapping the page shows: a preset's, or the ones picked on the page."""
    if form.get("preset"):
        chosen = presets.preset(form["preset"], actor_id=_me())
        return {"format": chosen["format"], "identity": chosen["identity"], "columns": dict(chosen["columns"]),
                "preset": chosen["name"]}
    code = form.get("format") if form.get("format") in FORMATS else "generic"
    columns = {}
    for spec in FORMATS[code].fields:
        fixed = (form.get(f"fixed_{spec.name}") or "").strip()
        columns[spec.name] = f"={fixed}" if fixed else (form.get(f"col_{spec.name}") or "")
    return {"format": code, "identity": form.get("identity") or EMPLOYEE_NO, "columns": columns, "preset": ""}


def _uploaded(token: str) -> Path:
    if TOKEN.match(token):
        for suffix in SUFFIXES:
            path = upload_folder() / f"{token}{suffix}"
            if path.exists():
                return path
    raise ApiError("not_found", "找不到该上传文件：请重新上传", 404)


def _me() -> int:
    return int(g.console_actor.employee_id)
