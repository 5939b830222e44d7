"""Two published demo weeks in the style of a TensorflowKR round-up, written for Jugan.

`manage.py loaddemo` installs them; the dates are fixed so the demo looks the same every day.
Community permalinks are illustrative; the projects, papers and pages they point to are real.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from archive.content import LinkContent, PostContent, WeekContent
from archive.normalize import LinkKind
from archive.weeks import IsoWeek

SEOUL = ZoneInfo("Asia/Seoul")
GROUP = "https://www.facebook.com/groups/TensorFlowKR/permalink"
MOBILE_GROUP = "https://m.facebook.com/groups/TensorFlowKR/permalink"


EARLIER_WEEK = WeekContent(
    week=IsoWeek(2021, 46),
    title="TensorflowKR 주간 정리: 검출 모델과 말뭉치",
    published_at=datetime(2021, 11, 22, 9, 0, tzinfo=SEOUL),
    intro=(
        "이번 주는 조용한 편이었습니다. 그래도 그냥 넘기기 아까운 글 세 개를 남겨 둡니다.\n\n"
        "> 정리의 기준은 하나, *다음 주에 다시 열어 볼 글인가?*"
    ),
    outro="다음 주에는 한국어 언어모델 소식이 이어질 것 같습니다. 곧 만나요!",
    posts=(
        PostContent(
            title="YOLOX: an anchor-free YOLO you can train this weekend",
            posted_on=date(2021, 11, 16),
            source_url=f"{GROUP}/1718300091840511/",
            summary=(
                "A member walked through **YOLOX**, which drops anchor boxes from the YOLO "
                "family and decouples the classification and regression heads. The thread "
                "compares it with YOLOv5 on a small custom dataset:\n\n"
                "> Training from the official repository took one config file and an "
                "afternoon; the anchor-free head was noticeably easier to tune.\n\n"
                "- Paper and code are both public\n"
                "- Pretrained weights come in sizes from *Nano* to *X*"
            ),
            commentary="검출 모델을 처음 써 보는 분이라면 YOLOX 저장소의 README부터 읽어 보세요.",
            topics=("vision", "컴퓨터비전"),
            links=(
                LinkContent("https://github.com/Megvii-BaseDetection/YOLOX", "GitHub"),
                LinkContent("https://arxiv.org/abs/2107.08430", "arXiv"),
            ),
        ),
        PostContent(
            title="국립국어원 '모두의 말뭉치' 신청부터 활용까지",
            posted_on=date(2021, 11, 18),
            source_url=f"{MOBILE_GROUP}/1720011235002730/",
            summary=(
                "국립국어원의 **모두의 말뭉치**를 신청해서 받는 과정과, 받은 파일을 "
                "학습용으로 정리하는 방법을 단계별로 적어 주신 글입니다.\n\n"
                "1. 사이트에서 회원 가입 후 말뭉치별로 이용 신청\n"
                "2. 승인 메일을 받으면 JSON 파일 내려받기\n"
                "3. 문장 단위로 펼쳐서 `jsonl`로 저장\n\n"
                "> 신문, 구어, 메신저 말뭉치처럼 성격이 다른 데이터가 나뉘어 있어서 "
                "목적에 맞게 골라 쓰기 좋습니다."
            ),
            commentary="승인까지 며칠 걸리니 필요한 말뭉치는 미리 신청해 두는 편이 좋겠네요.",
            topics=("datasets", "데이터셋", "자연어처리"),
            links=(LinkContent("https://corpus.korean.go.kr/", "모두의 말뭉치", LinkKind.DATASET),),
        ),
        PostContent(
            title="Transformers로 한국어 문장 분류 따라 하기",
            posted_on=date(2021, 11, 19),
            source_url=f"{GROUP}/1720733368263850/",
            summary=(
                "Hugging Face **Transformers**의 `Trainer`로 한국어 영화 리뷰 감성 분류를 "
                "처음부터 끝까지 따라 해 본 튜토리얼입니다.\n\n"
                "```python\n"
                "from transformers import AutoTokenizer\n\n"
                'tokenizer = AutoTokenizer.from_pretrained("klue/bert-base")\n'
                "```\n\n"
                "토크나이저 선택, 데이터셋 나누기, 평가 지표까지 한 노트북에 담겨 있습니다."
            ),
            commentary="신경망 자체가 낯설다면 아래 영상으로 감을 먼저 잡는 것도 방법입니다.",
            topics=("NLP", "자연어처리", "트랜스포머"),
            links=(
                LinkContent("https://huggingface.co/docs/transformers/index", "문서"),
                LinkContent("https://huggingface.co/klue/bert-base", "klue/bert-base"),
                LinkContent(
                    "https://www.youtube.com/watch?v=aircAruvnKk",
                    "신경망 입문 영상",
                ),
            ),
        ),
    ),
)

DEMO_WEEK = WeekContent(
    week=IsoWeek(2021, 47),
    title="",
    published_at=datetime(2021, 11, 29, 9, 0, tzinfo=SEOUL),
    intro=(
        "11월 넷째 주 TensorflowKR에서 다시 찾아볼 만한 글 다섯 개를 골랐습니다.\n\n"
        "> 한국어 언어모델과 형태소 분석기 소식이 한꺼번에 올라온 주라서 자연어처리 비중이 "
        "높습니다. 비전은 구현 코드 위주로 모았어요.\n\n"
        "선정 기준은 늘 그렇듯 제 관심사입니다 😅"
    ),
    outro=(
        "여기까지 **2021년 11월 4주차** 정리였습니다.\n\n"
        "빠뜨린 좋은 글이 있다면 그룹 댓글로 알려 주세요. 다음 주에 또 정리하겠습니다 :)"
    ),
    posts=(
        PostContent(
            title="카카오브레인, 60억 파라미터 한국어 언어모델 KoGPT 공개",
            posted_on=date(2021, 11, 22),
            source_url=f"{MOBILE_GROUP}/1722904018046785/",
            summary=(
                "카카오브레인이 GPT-3 구조를 따르는 한국어 언어모델 **KoGPT**를 공개했다는 "
                "소식입니다. 코드는 GitHub에, 가중치는 Hugging Face Hub에 올라와 있습니다.\n\n"
                "> - 한국어 문장 생성, 요약, 분류 같은 작업에 바로 써 볼 수 있습니다.\n"
                "> - 코드와 모델 가중치의 라이선스가 다르니 **상업적 이용 전에 꼭 확인**하라는 "
                "당부가 있었습니다.\n\n"
                "댓글에서는 필요한 GPU 메모리와 반정밀도(fp16) 버전 이야기가 길게 이어졌어요."
            ),
            commentary=(
                "영어 중심이던 대형 언어모델을 한국어로 직접 만져 볼 수 있다는 것만으로도 "
                "반가운 소식이네요. 라이선스 조항은 꼭 읽어 보세요!"
            ),
            topics=("NLP", "자연어처리", "한국어"),
            links=(
                LinkContent("https://github.com/kakaobrain/kogpt", "GitHub"),
                LinkContent("https://huggingface.co/kakaobrain/kogpt", "Hugging Face"),
            ),
        ),
        PostContent(
            title="Kiwi: a Korean morphological analyser you can pip install",
            posted_on=date(2021, 11, 23),
            source_url=f"{GROUP}/1723420167995170/",
            summary=(
                "The author of **Kiwi** shared a new release of its Python package. Kiwi splits "
                "Korean sentences into morphemes without Java or a separate dictionary "
                "download, which makes it easy to drop into a preprocessing pipeline:\n\n"
                "```\n"
                "pip install kiwipiepy\n"
                "```\n\n"
                "> Typos and spacing mistakes in web text were the main motivation, "
                "the author wrote.\n\n"
                "The thread also compares tokenisation speed with older analysers."
            ),
            commentary="전처리 파이프라인에서 Java 의존성을 걷어낼 수 있다는 점이 특히 반갑습니다.",
            topics=("NLP", "자연어처리", "한국어"),
            links=(
                LinkContent("https://github.com/bab2min/Kiwi", "Kiwi"),
                LinkContent("https://github.com/bab2min/kiwipiepy", "kiwipiepy"),
                LinkContent("https://pypi.org/project/kiwipiepy/", "PyPI"),
            ),
        ),
        PostContent(
            title="Where to find Korean NLP datasets: AI Hub, KLUE and the Hugging Face Hub",
            posted_on=date(2021, 11, 24),
            source_url=f"{GROUP}/1723988941271626/",
            summary=(
                "A member collected the places they look first when a project needs Korean "
                "data, with a line on what each is good for:\n\n"
                "- **AI Hub**: large public datasets from government projects; registration "
                "and an application are required\n"
                "- **KLUE**: eight benchmark tasks, from topic classification to dialogue state "
                "tracking, with a paper describing how each was built\n"
                "- **Hugging Face Hub**: many of the above, loadable with one line of "
                "`datasets`\n\n"
                "> Check each licence before training anything you plan to ship."
            ),
            commentary="데이터셋 찾느라 헤매던 시간을 줄여 줄 목록입니다. 북마크해 두세요.",
            topics=("datasets", "데이터셋", "NLP"),
            links=(
                LinkContent("https://aihub.or.kr/", "AI Hub"),
                LinkContent("https://github.com/KLUE-benchmark/KLUE", "KLUE"),
                LinkContent("https://arxiv.org/abs/2105.09680", "KLUE paper"),
                LinkContent("https://huggingface.co/datasets/klue", "KLUE on the Hub"),
            ),
        ),
        PostContent(
            title="코드로 읽는 비전 트랜스포머 (ViT, CLIP)",
            posted_on=date(2021, 11, 25),
            source_url=None,
            summary=(
                "이번 주에는 비전 트랜스포머를 코드로 풀어 본 글이 두 개 올라왔습니다.\n\n"
                "**1. ViT**\n\n"
                f"2021년 11월 25일 / [게시물 링크]({GROUP}/1724501257887061/)\n\n"
                "이미지를 16×16 패치로 잘라 토큰처럼 다루는 ViT를 PyTorch로 한 줄씩 "
                "구현하면서 설명한 글입니다.\n\n"
                "> 패치 임베딩 → 위치 임베딩 → 트랜스포머 인코더 → 분류 토큰\n\n"
                "**2. CLIP**\n\n"
                f"2021년 11월 26일 / [게시물 링크]({GROUP}/1725102451160275/)\n\n"
                "이미지와 텍스트를 같은 공간에 임베딩하는 CLIP으로 제로샷 분류를 해 본 "
                "노트북입니다. 공식 저장소의 예제를 한국어 설명과 함께 따라갑니다."
            ),
            commentary=(
                "논문만 읽을 때는 흐릿하던 부분이 코드로 보니 선명해지네요. "
                "두 글 모두 작성자분께 감사드립니다 :)"
            ),
            topics=("vision", "컴퓨터비전", "트랜스포머"),
            links=(
                LinkContent(f"{GROUP}/1724501257887061/", "ViT 게시물"),
                LinkContent("https://github.com/lucidrains/vit-pytorch", "vit-pytorch"),
                LinkContent("https://arxiv.org/abs/2010.11929", "ViT 논문"),
                LinkContent(f"{GROUP}/1725102451160275/", "CLIP 게시물"),
                LinkContent("https://github.com/openai/CLIP", "CLIP"),
                LinkContent("https://arxiv.org/abs/2103.00020", "CLIP 논문"),
            ),
        ),
        PostContent(
            title="LG AI연구원 홈페이지 둘러보기",
            posted_on=date(2021, 11, 26),
            source_url=f"{GROUP}/1725388914464962/",
            summary=(
                "LG AI연구원의 홈페이지가 소개되었습니다. 연구 분야, 발표한 논문, "
                "채용 소식을 한곳에서 볼 수 있어요.\n\n"
                "> 기업 연구소가 어떤 문제를 풀고 있는지 알 수 있어서, "
                "진로를 고민하는 학생에게 특히 도움이 될 것 같다는 댓글이 많았습니다."
            ),
            commentary="국내 기업 연구소들의 행보를 계속 지켜보려고 합니다.",
            topics=("AI연구소",),
            links=(LinkContent("https://www.lgresearch.ai/", "LG AI연구원"),),
        ),
    ),
)

WEEKS = (EARLIER_WEEK, DEMO_WEEK)

# The English names of the demo's Korean topics (Topic.name_en), which English readers see
# and search finds: "transformer" finds the posts under 트랜스포머.
TOPIC_NAMES_EN = {
    "자연어처리": "Natural language processing",
    "컴퓨터비전": "Computer vision",
    "데이터셋": "Datasets",
    "한국어": "Korean",
    "트랜스포머": "Transformer",
    "AI연구소": "AI labs",
}
